"""Signed JSON over HTTP to department endpoints: the only module doing outbound HTTP for them."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from integrations.signing import (
    DEPARTMENT_HEADER,
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)


@dataclass(frozen=True)
class HttpResult:
    ok: bool
    status: int = 0
    retryable: bool = True
    error: str = ""
    body: str = ""


def post_signed(
    *,
    url: str,
    key: str,
    payload: dict[str, Any],
    idempotency_key: str,
    department: int,
    timeout: float | None = None,
    now: float | None = None,
) -> HttpResult:
    """POST `payload` as JSON, signed over timestamp, department, idempotency key and body
    (integrations.signing). 2xx ok; 4xx not retryable (except 408/429); 5xx and network
    errors retryable."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(now if now is not None else time.time()))
    request = urllib.request.Request(  # noqa: S310 - URL is configured by coordinators (http/https)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            TIMESTAMP_HEADER: timestamp,
            DEPARTMENT_HEADER: str(department),
            SIGNATURE_HEADER: sign(
                key=key,
                timestamp=timestamp,
                department=str(department),
                idempotency_key=idempotency_key,
                body=body,
            ),
            IDEMPOTENCY_HEADER: idempotency_key,
        },
    )
    if not url.startswith(("http://", "https://")):
        return HttpResult(ok=False, retryable=False, error="unsupported URL scheme")
    limit = timeout if timeout is not None else settings.LIANLUO_HTTP_TIMEOUT
    try:
        with urllib.request.urlopen(request, timeout=limit) as response:  # noqa: S310
            text = response.read(4096).decode("utf-8", "replace")
            return HttpResult(ok=True, status=response.status, body=text)
    except urllib.error.HTTPError as exc:
        retryable = exc.code >= 500 or exc.code in (408, 429)
        return HttpResult(ok=False, status=exc.code, retryable=retryable, error=f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError) as exc:
        return HttpResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
