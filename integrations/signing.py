"""HMAC-SHA256 signatures for department HTTP traffic (both directions). No network here.

The signature covers everything a receiver acts on, so none of it can be swapped in a
captured request:

    sha256=<hex HMAC of  timestamp "\\n" department "\\n" idempotency key "\\n" body>

with the values of the X-Lianluo-Timestamp, X-Lianluo-Department and Idempotency-Key headers
and the raw body bytes. A request replayed within the time window with a new Idempotency-Key
(or under another department's id) no longer verifies.
"""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "X-Lianluo-Timestamp"
SIGNATURE_HEADER = "X-Lianluo-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
DEPARTMENT_HEADER = "X-Lianluo-Department"


def signed_message(*, timestamp: str, department: str, idempotency_key: str, body: bytes) -> bytes:
    return f"{timestamp}\n{department}\n{idempotency_key}\n".encode() + body


def sign(*, key: str, timestamp: str, department: str, idempotency_key: str, body: bytes) -> str:
    message = signed_message(
        timestamp=timestamp, department=department, idempotency_key=idempotency_key, body=body
    )
    return "sha256=" + hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def verify(
    *,
    key: str,
    timestamp: str,
    department: str,
    idempotency_key: str,
    body: bytes,
    signature: str,
) -> bool:
    if not key or not signature:
        return False
    expected = sign(
        key=key,
        timestamp=timestamp,
        department=department,
        idempotency_key=idempotency_key,
        body=body,
    )
    return hmac.compare_digest(expected, signature)
