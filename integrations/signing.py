"""HMAC-SHA256 signatures for department HTTP traffic (both directions). No network here."""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "X-Lianluo-Timestamp"
SIGNATURE_HEADER = "X-Lianluo-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
DEPARTMENT_HEADER = "X-Lianluo-Department"


def sign(*, key: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` over `timestamp + "." + body`."""
    message = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def verify(*, key: str, timestamp: str, body: bytes, signature: str) -> bool:
    if not key or not signature:
        return False
    return hmac.compare_digest(sign(key=key, timestamp=timestamp, body=body), signature)
