"""Turn domain errors into pages and messages, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect

from casework.errors import DomainError, NotFound


def domain_errors(redirect_to: str | None = None) -> Callable[..., Any]:
    """NotFound → 404; other DomainErrors → a message and back to `redirect_to` (or the page)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(str(exc.message)) from exc
            except DomainError as exc:
                messages.error(request, str(exc.message))
                return HttpResponseRedirect(redirect_to or request.path)

        return wrapped

    return decorate
