"""The secret keys of the audit trail (HMAC-SHA256), held outside the database.

LIANLUO_AUDIT_KEYS is a list of secrets, rotated like the personal-data keys: **the first
signs, every listed key verifies.** Each event records the id of the key that signed it (the
first 8 hex digits of the key's SHA-256), so after a rotation old events verify with their
old key; a key is removed only when no event or anchor signed with it is kept. Someone who can
write the database but does not hold a key cannot recompute a valid chain.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MIN_KEY_LENGTH = 32


class UnknownKey(Exception):
    """An event or anchor names a key that is not configured (or was forged)."""


def key_id(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:8]


@lru_cache(maxsize=4)
def _keys(secrets: tuple[str, ...]) -> tuple[tuple[str, bytes], ...]:
    if not secrets:
        raise ImproperlyConfigured("LIANLUO_AUDIT_KEYS is empty: the audit trail cannot be signed.")
    for secret in secrets:
        if len(secret) < MIN_KEY_LENGTH:
            raise ImproperlyConfigured(
                f"LIANLUO_AUDIT_KEYS: every key needs at least {MIN_KEY_LENGTH} characters."
            )
    return tuple((key_id(secret), secret.encode()) for secret in secrets)


def _configured() -> tuple[tuple[str, bytes], ...]:
    return _keys(tuple(settings.LIANLUO_AUDIT_KEYS))


def signing_key_id() -> str:
    """The id of the key new events and anchors are signed with (the first one)."""
    return _configured()[0][0]


def sign(message: bytes, *, kid: str | None = None) -> str:
    """HMAC-SHA256 of `message` (hex) with key `kid` (default: the signing key)."""
    wanted = kid or signing_key_id()
    for candidate, secret in _configured():
        if candidate == wanted:
            return hmac.new(secret, message, hashlib.sha256).hexdigest()
    raise UnknownKey(wanted)


def known_key_ids() -> list[str]:
    return [candidate for candidate, _secret in _configured()]
