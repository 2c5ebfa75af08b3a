"""Bearer-token authentication: `Authorization: Bearer ll_<prefix>_<secret>`."""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from web.api.models import TOKEN_TAG, ApiToken, token_digest

# last_used_at is written at most once per this interval (no write on every request).
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        parts = header.split()
        if not parts or parts[0].lower() != self.keyword.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("认证信息格式不正确。"))
        return self._check(parts[1])

    def _check(self, plaintext: str) -> tuple[Any, ApiToken]:
        pieces = plaintext.split("_", 2)
        if len(pieces) != 3 or pieces[0] != TOKEN_TAG:
            raise exceptions.AuthenticationFailed(_("令牌无效。"))
        token = ApiToken.objects.select_related("user").filter(prefix=pieces[1]).first()
        if token is None or not hmac.compare_digest(token.token_hash, token_digest(plaintext)):
            raise exceptions.AuthenticationFailed(_("令牌无效。"))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("令牌已撤销。"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("用户已停用。"))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "web.api.auth.TokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "ll_<prefix>_<secret>"}
