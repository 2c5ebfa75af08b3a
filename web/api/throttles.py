"""Rate limits (DRF throttling on the Django cache) for authentication, tokens and document
verification. The answer webhook (a plain Django view) has its own throttle with the
`api_webhook` rate: integrations.views.webhooks.WebhookThrottle."""

from __future__ import annotations

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class AuthThrottle(AnonRateThrottle):
    """Password → token exchange: per client address, whoever claims to log in."""

    scope = "api_auth"


class TokenThrottle(UserRateThrottle):
    scope = "api_tokens"


class VerifyThrottle(AnonRateThrottle):
    """Public document verification (no login)."""

    scope = "api_verify"
