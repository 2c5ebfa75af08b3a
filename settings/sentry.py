"""Error reporting to a Sentry-compatible endpoint (Sentry, GlitchTip) when SENTRY_DSN is set."""

from __future__ import annotations

import logging

from settings.env import env_optional, env_str

logger = logging.getLogger(__name__)


def _traces_sample_rate() -> float:
    raw = env_str("SENTRY_TRACES_SAMPLE_RATE", "0")
    try:
        rate = float(raw)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"SENTRY_TRACES_SAMPLE_RATE must be in [0, 1], got {raw!r}.")
    return rate


def init_sentry(dsn: str) -> bool:
    """Start the SDK with the Django and Celery integrations; False when it is not installed."""
    try:
        import sentry_sdk
        from sentry_sdk.integrations.celery import CeleryIntegration
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError:  # optional dependency: the app runs without it
        logger.warning("SENTRY_DSN is set but sentry-sdk is not installed; errors not reported")
        return False
    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        release=env_optional("SENTRY_RELEASE"),
        traces_sample_rate=_traces_sample_rate(),
        # Never ship personal data: no user ids/IPs, cookies, or request bodies.
        send_default_pii=False,
        max_request_body_size="never",
    )
    return True
