"""Self-service reconnect links: signed, expiring, single use; refusals are clear pages."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core import signing
from django.utils import timezone

from casework.models import ContactAttempt, ContactChannel, ContactOutcome, Member, MemberChange
from integrations.models import PendingContactChange, PendingStatus, ReconnectLink
from integrations.services.reconnect import SALT, reconnect_link_create
from tests.factories import make_member


@pytest.fixture
def issued(world, settings, django_capture_on_commit_callbacks):
    settings.LIANLUO_SMS_BACKEND = "integrations.messaging.console.FileBackend"
    member = make_member(world.branch, phone="13800138000", residence="福州市鼓楼区五四路1号")
    with django_capture_on_commit_callbacks(execute=True):
        link = reconnect_link_create(member=member, actor=world.officer)
    return member, link


def path_of(url):
    return url.split("127.0.0.1:8000", 1)[1]


def test_the_link_is_sent_by_sms_and_logged_as_an_attempt(issued, settings):
    member, issued_link = issued
    lines = (Path(settings.LIANLUO_MESSAGE_FILE_DIR) / "messages.jsonl").read_text().splitlines()
    sent = json.loads(lines[0])
    assert sent["to"] == "13800138000"
    assert issued_link.url in sent["text"]
    attempt = ContactAttempt.objects.get(member=member)
    assert attempt.channel == ContactChannel.SMS
    assert "13800138000" not in issued_link.url
    assert str(member.id_number) not in issued_link.url


def test_confirming_counts_as_a_successful_self_service_contact(client, issued):
    member, issued_link = issued
    url = path_of(issued_link.url)
    assert client.get(url).status_code == 200
    response = client.post(url, {"phone": "", "residence": ""})
    assert response.status_code == 200
    assert "感谢确认" in response.content.decode()
    attempt = ContactAttempt.objects.get(member=member, channel=ContactChannel.SELF_SERVICE)
    assert attempt.outcome == ContactOutcome.REACHED
    assert Member.objects.get(pk=member.pk).last_contact_date == timezone.localdate()
    assert ReconnectLink.objects.get(pk=issued_link.link.pk).used_at is not None
    assert not PendingContactChange.objects.exists()


def test_a_reused_link_is_refused_with_a_clear_page(client, issued):
    _, issued_link = issued
    url = path_of(issued_link.url)
    client.post(url, {})
    again = client.get(url)
    assert again.status_code == 410
    assert "只能使用一次" in again.content.decode()
    posted = client.post(url, {})
    assert posted.status_code == 410
    assert ContactAttempt.objects.filter(channel=ContactChannel.SELF_SERVICE).count() == 1


def test_an_expired_link_is_refused(client, issued):
    _, issued_link = issued
    ReconnectLink.objects.filter(pk=issued_link.link.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client.get(path_of(issued_link.url))
    assert response.status_code == 410
    assert "链接已过期" in response.content.decode()


def test_a_link_older_than_its_signature_age_is_refused(client, issued, settings):
    _, issued_link = issued
    token = signing.dumps({"l": issued_link.link.pk, "m": issued_link.link.member_id}, salt=SALT)
    settings.LIANLUO_RECONNECT_LINK_DAYS = 1
    from unittest import mock

    later = timezone.now().timestamp() + 2 * 86400
    with mock.patch("time.time", return_value=later):
        response = client.get(f"/integrations/r/{token}/")
    assert response.status_code == 410


def test_a_tampered_link_is_refused(client, issued):
    member, issued_link = issued
    url = path_of(issued_link.url)
    tampered = url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:]
    response = client.get(tampered)
    assert response.status_code == 400
    assert "链接无效" in response.content.decode()
    forged = signing.dumps({"l": issued_link.link.pk, "m": member.pk + 1}, salt=SALT)
    assert client.get(f"/integrations/r/{forged}/").status_code == 400
    wrong_salt = signing.dumps({"l": issued_link.link.pk, "m": member.pk})
    assert client.get(f"/integrations/r/{wrong_salt}/").status_code == 400


def test_a_new_phone_is_a_pending_change_the_officer_accepts(client, issued, world):
    member, issued_link = issued
    client.post(
        path_of(issued_link.url), {"phone": "13912345678", "residence": "福州市台江区新地址"}
    )
    change = PendingContactChange.objects.get(member=member)
    assert change.status == PendingStatus.PENDING
    assert Member.objects.get(pk=member.pk).phone == "13800138000"

    client.force_login(world.outsider)
    assert (
        client.post(
            f"/coordination/changes/{change.pk}/decide/", {"decision": "accept"}
        ).status_code
        == 404
    )
    client.force_login(world.officer)
    response = client.post(f"/coordination/changes/{change.pk}/decide/", {"decision": "accept"})
    assert response.status_code == 302
    stored = Member.objects.get(pk=member.pk)
    assert stored.phone == "13912345678"
    assert stored.residence == "福州市台江区新地址"
    assert PendingContactChange.objects.get(pk=change.pk).status == PendingStatus.ACCEPTED
    record = MemberChange.objects.get(member=member, source="self_service")
    assert "13912345678" not in json.dumps(record.changes)


def test_a_rejected_change_leaves_the_member_as_is(client, issued, world):
    member, issued_link = issued
    client.post(path_of(issued_link.url), {"phone": "13912345678"})
    change = PendingContactChange.objects.get(member=member)
    client.force_login(world.officer)
    client.post(f"/coordination/changes/{change.pk}/decide/", {"decision": "reject"})
    assert Member.objects.get(pk=member.pk).phone == "13800138000"
    assert PendingContactChange.objects.get(pk=change.pk).status == PendingStatus.REJECTED


def test_an_invalid_phone_is_refused_on_the_form_and_the_link_stays_usable(client, issued):
    _, issued_link = issued
    response = client.post(path_of(issued_link.url), {"phone": "12345"})
    assert response.status_code == 200
    assert "电话号码格式不正确" in response.content.decode()
    assert ReconnectLink.objects.get(pk=issued_link.link.pk).used_at is None


def test_an_outsider_cannot_send_a_link(client, world):
    member = make_member(world.branch)
    client.force_login(world.outsider)
    assert client.post(f"/coordination/members/{member.pk}/reconnect/").status_code == 404
    assert not ReconnectLink.objects.exists()


def test_an_officer_sends_a_link_from_the_page_and_sees_pending_changes(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.LIANLUO_SMS_BACKEND = "integrations.messaging.console.FileBackend"
    member = make_member(world.branch)
    client.force_login(world.officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/coordination/members/{member.pk}/reconnect/")
    assert response.status_code == 302
    link = ReconnectLink.objects.get(member=member)
    assert link.created_by == world.officer
    assert ContactAttempt.objects.filter(member=member, channel=ContactChannel.SMS).count() == 1
    page = client.get("/coordination/changes/")
    assert page.status_code == 200
