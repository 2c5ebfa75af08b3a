"""Rate limits (DRF throttling on the Django cache) for authentication, tokens and document
verification. The answer webhook (a plain Django view) has its own throttle with the
`api_webhook` rate: integrations.views.webhooks.WebhookThrottle. Anonymous requests are
counted per client address (integrations.client_address.client_ip: X-Forwarded-For only as
far as LIANLUO_TRUSTED_PROXY_COUNT trusts it), so a forged header never opens a new bucket."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from integrations.client_address import client_ip


class ClientAddress:
    def get_ident(self, request: Any) -> str:
        return client_ip(request)


class AuthThrottle(ClientAddress, AnonRateThrottle):
    """Password → token exchange: per client address, whoever claims to log in."""

    scope = "api_auth"


class TokenThrottle(ClientAddress, UserRateThrottle):
    scope = "api_tokens"


class VerifyThrottle(ClientAddress, AnonRateThrottle):
    """Public document verification (no login)."""

    scope = "api_verify"
