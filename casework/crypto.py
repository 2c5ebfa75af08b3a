"""Encryption of personal data at rest (Fernet, several keys for rotation) and blind indexes."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("LIANLUO_PII_KEYS is empty: personal data cannot be encrypted.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "LIANLUO_PII_KEYS must hold url-safe base64 Fernet keys (32 bytes each)."
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.LIANLUO_PII_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "Personal data could not be decrypted with any configured key."
        ) from exc


def reencrypt(token: str) -> str:
    """Re-encrypt a token under the current primary key (for key rotation)."""
    return fernet().rotate(token.encode()).decode()


@lru_cache(maxsize=4)
def _keyed(key: str) -> hmac.HMAC:
    return hmac.new(key.encode(), digestmod=hashlib.sha256)


def blind_index_digest(kind: str, value: str) -> bytes:
    """HMAC-SHA256 under LIANLUO_BLIND_INDEX_KEY of the kind and the normalised value."""
    key = settings.LIANLUO_BLIND_INDEX_KEY
    if not key:
        raise ImproperlyConfigured("LIANLUO_BLIND_INDEX_KEY is not set.")
    normalised = unicodedata.normalize("NFKC", value).strip().upper()
    mac = _keyed(key).copy()  # the keyed state is computed once per key
    mac.update(f"{kind}:{normalised}".encode())
    return mac.digest()


def blind_index(kind: str, value: str) -> str:
    """A keyed hash for exact look-up without storing plaintext (HMAC-SHA256, hex)."""
    return blind_index_digest(kind, value).hex()


@lru_cache(maxsize=4)
def _primary(key: str) -> Fernet:
    return Fernet(key.encode())


def is_current(token: str) -> bool:
    """True when `token` is already encrypted under the primary (first) key."""
    keys = settings.LIANLUO_PII_KEYS
    if not keys:
        raise ImproperlyConfigured("LIANLUO_PII_KEYS is empty: personal data cannot be encrypted.")
    try:
        _primary(keys[0]).decrypt(token.encode())
    except InvalidToken:
        return False
    return True
