"""Member messaging adapters: SMS gateway and WeChat-style template over real local HTTP."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from casework.models import ContactAttempt, ContactChannel, ContactOutcome
from integrations.messaging.base import _load
from integrations.services.messaging import member_message_send
from tests.factories import make_member


class Gateway:
    def __init__(self, status=200, reply=None):
        self.requests: list[tuple[dict, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append((dict(self.headers), json.loads(body)))
                raw = json.dumps(reply or {"id": "gw-1", "msgid": 42, "errcode": 0}).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    server = Gateway()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _fresh_backends():
    _load.cache_clear()
    yield
    _load.cache_clear()


def test_an_sms_goes_through_the_gateway_and_is_logged(world, gateway, settings):
    settings.LIANLUO_SMS_BACKEND = "integrations.sms.client.SmsGatewayBackend"
    settings.LIANLUO_SMS_URL = gateway.url
    settings.LIANLUO_SMS_TOKEN = "tok"
    member = make_member(world.branch, phone="13800138000")
    result = member_message_send(
        member=member, actor=world.officer, template="org_life", text="请参加组织生活"
    )
    assert result.ok and result.provider_id == "gw-1"
    headers, body = gateway.requests[0]
    assert headers["Authorization"] == "Bearer tok"
    assert body["to"] == "13800138000"
    assert body["template"] == "org_life"
    attempt = ContactAttempt.objects.get(member=member)
    assert (attempt.channel, attempt.outcome) == (ContactChannel.SMS, ContactOutcome.OTHER)
    assert "13800138000" not in attempt.notes


def test_a_wechat_template_message_is_posted(world, gateway, settings):
    settings.LIANLUO_WECHAT_BACKEND = "integrations.wechat.client.WechatTemplateBackend"
    settings.LIANLUO_WECHAT_URL = gateway.url
    member = make_member(world.branch, phone="13800138000")
    result = member_message_send(
        member=member,
        actor=world.officer,
        template="TPL1",
        text="",
        params={"first": "您好"},
        channel="wechat",
    )
    assert result.ok
    assert gateway.requests[0][1]["data"] == {"first": {"value": "您好"}}
    assert ContactAttempt.objects.get(member=member).channel == ContactChannel.WECHAT


def test_a_failed_gateway_is_still_logged_as_an_attempt(world, settings):
    failing = Gateway(status=500)
    try:
        settings.LIANLUO_SMS_BACKEND = "integrations.sms.client.SmsGatewayBackend"
        settings.LIANLUO_SMS_URL = failing.url
        member = make_member(world.branch)
        result = member_message_send(member=member, actor=world.officer, template="x", text="x")
    finally:
        failing.close()
    assert not result.ok and result.error == "HTTP 500"
    assert "发送失败" in ContactAttempt.objects.get(member=member).notes
