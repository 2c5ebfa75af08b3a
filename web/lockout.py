"""The client address django-axes counts login failures against.

Behind nginx (deploy/nginx) REMOTE_ADDR is the proxy; with LIANLUO_TRUSTED_PROXY_COUNT=N the
client is the N-th address from the right of X-Forwarded-For (the part our proxies appended,
which a client cannot forge). With 0, REMOTE_ADDR is used as is.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    proxies = int(getattr(settings, "LIANLUO_TRUSTED_PROXY_COUNT", 0))
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if proxies <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [part for part in chain if part]
    return chain[-proxies] if len(chain) >= proxies else remote
