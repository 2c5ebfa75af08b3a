"""Rate limits (DRF throttling on the Django cache) for authentication, tokens and webhooks."""

from __future__ import annotations

from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle


class AuthThrottle(AnonRateThrottle):
    """Password → token exchange: per client address, whoever claims to log in."""

    scope = "api_auth"


class TokenThrottle(UserRateThrottle):
    scope = "api_tokens"


class VerifyThrottle(AnonRateThrottle):
    """Public document verification (no login)."""

    scope = "api_verify"


class WebhookThrottle(ScopedRateThrottle):
    """Inbound webhooks set `throttle_scope = "api_webhook"`."""
