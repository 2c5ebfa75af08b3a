"""A generic SMS gateway over HTTP: POST JSON {to, template, params, text, sign} with a bearer
token to LIANLUO_SMS_URL. The only module talking to the SMS gateway."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.conf import settings

from integrations.messaging.base import MessageResult, OutboundMessage


def post_json(url: str, token: str, payload: dict[str, object], timeout: float) -> MessageResult:
    if not url.startswith(("http://", "https://")):
        return MessageResult(ok=False, error="gateway URL not configured")
    request = urllib.request.Request(  # noqa: S310 - configured http(s) URL
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = json.loads(response.read(4096) or b"{}")
    except urllib.error.HTTPError as exc:
        return MessageResult(ok=False, error=f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return MessageResult(ok=False, error=f"{type(exc).__name__}"[:200])
    return MessageResult(ok=True, provider_id=str(data.get("id", "")))


class SmsGatewayBackend:
    def send(self, message: OutboundMessage) -> MessageResult:
        payload: dict[str, object] = {
            "to": message.to,
            "template": message.template,
            "params": message.params,
            "text": message.text,
            "sign": settings.LIANLUO_SMS_SIGN_NAME,
        }
        return post_json(
            settings.LIANLUO_SMS_URL,
            settings.LIANLUO_SMS_TOKEN,
            payload,
            timeout=settings.LIANLUO_HTTP_TIMEOUT,
        )
