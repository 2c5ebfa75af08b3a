"""The messaging interface every adapter implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class OutboundMessage:
    to: str  # phone number or WeChat openid; never logged
    template: str  # a template code, e.g. "reconnect_link"
    params: dict[str, str] = field(default_factory=dict)
    text: str = ""


@dataclass(frozen=True)
class MessageResult:
    ok: bool
    provider_id: str = ""
    error: str = ""


class MessageBackend(Protocol):
    def send(self, message: OutboundMessage) -> MessageResult: ...


@lru_cache(maxsize=8)
def _load(path: str) -> MessageBackend:
    backend: MessageBackend = import_string(path)()
    return backend


def backend_for(channel: str) -> MessageBackend:
    """`sms` → LIANLUO_SMS_BACKEND, `wechat` → LIANLUO_WECHAT_BACKEND."""
    path = settings.LIANLUO_WECHAT_BACKEND if channel == "wechat" else settings.LIANLUO_SMS_BACKEND
    return _load(path)
