"""The client address of a request: the one function login lockouts (django-axes), API rate
limits and the webhook's rate limit count against.

Behind nginx (deploy/nginx) REMOTE_ADDR is the proxy; with LIANLUO_TRUSTED_PROXY_COUNT=N the
client is the N-th address from the right of X-Forwarded-For (the part our own proxies
appended, which a client cannot forge). With 0 (no proxy), REMOTE_ADDR is used as is and
X-Forwarded-For is ignored: a header the client wrote never picks its own rate-limit bucket.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def client_ip(request: Any) -> str:
    """`request`: a Django HttpRequest (or DRF Request); only its META is read."""
    meta = request.META
    proxies = int(getattr(settings, "LIANLUO_TRUSTED_PROXY_COUNT", 0))
    remote = str(meta.get("REMOTE_ADDR", ""))
    if proxies <= 0:
        return remote
    chain = [part.strip() for part in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    chain = [part for part in chain if part]
    return chain[-proxies] if len(chain) >= proxies else remote
