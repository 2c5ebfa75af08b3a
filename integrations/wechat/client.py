"""WeChat-style template messages over HTTP: POST {touser, template_id, data, url} to
LIANLUO_WECHAT_URL. The only module talking to the WeChat-style gateway."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.conf import settings

from integrations.messaging.base import MessageResult, OutboundMessage


class WechatTemplateBackend:
    def send(self, message: OutboundMessage) -> MessageResult:
        url = settings.LIANLUO_WECHAT_URL
        if not url.startswith(("http://", "https://")):
            return MessageResult(ok=False, error="gateway URL not configured")
        payload = {
            "touser": message.to,
            "template_id": message.template,
            "url": message.params.get("link", ""),
            "data": {key: {"value": value} for key, value in message.params.items()},
        }
        request = urllib.request.Request(  # noqa: S310 - configured http(s) URL
            url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.LIANLUO_WECHAT_TOKEN}",
            },
        )
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=settings.LIANLUO_HTTP_TIMEOUT
            ) as response:
                data = json.loads(response.read(4096) or b"{}")
        except urllib.error.HTTPError as exc:
            return MessageResult(ok=False, error=f"HTTP {exc.code}")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return MessageResult(ok=False, error=f"{type(exc).__name__}"[:200])
        if data.get("errcode", 0) != 0:
            return MessageResult(ok=False, error=f"errcode {data.get('errcode')}")
        return MessageResult(ok=True, provider_id=str(data.get("msgid", "")))
