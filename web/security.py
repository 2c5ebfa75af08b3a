"""Content-Security-Policy: scripts only from this origin, no framing, no plugins.

viewflow's Material templates load every script from /static/ (no inline <script> blocks),
so `script-src 'self'` holds. Two allowances, both documented in deploy/RUNBOOK.md:
- the "back" buttons of viewflow's confirm pages (delete, assign, unassign, import, export)
  carry inline onclick handlers; they are allowed by hash ('unsafe-hashes'), nothing else is;
- style attributes are used throughout viewflow's and our templates, so style-src keeps
  'unsafe-inline' (styles cannot run code; scripts stay locked down).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# sha256 of viewflow's inline handlers: "window.history.back(-1)" and
# "window.history.back(-1);setTimeout(()=>Turbo.visit('.'), 100)".
VIEWFLOW_HANDLER_HASHES = (
    "'sha256-seD630z7277f97kwMcz927xhDjB8+HQCe4f0EztcsAU='",
    "'sha256-GdAjV6tJJrCv5L8FkbHYzJwNrscSj7aTuYJzS/C7wZY='",
)

DEFAULT_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-hashes' " + " ".join(VIEWFLOW_HANDLER_HASHES),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Adds the policy (LIANLUO_CSP overrides it) unless a view already set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "LIANLUO_CSP", None) or DEFAULT_POLICY
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


class ApiNoStoreMiddleware:
    """API answers carry members, cases and tokens: `Cache-Control: no-store` on every /api/
    response (unless the view set its own), so no browser or proxy cache keeps them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path_info.startswith("/api/") and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response
