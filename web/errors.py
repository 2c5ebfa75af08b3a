"""The one place an HTML page turns a domain error into a response (the API's is
web/api/errors.py; both read `DomainError.http_status`).

A view lets a refusal it does not show on its own form propagate: NotFound is the 404 page
(missing or out of scope, never which), PermissionDenied the 403 page, any other refusal
(Conflict 409, a rule 400) a page with its Chinese message. A view that shows the message on
its form answers with `exc.http_status` itself.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from casework.errors import DomainError, NotFound, PermissionDenied


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        if isinstance(exception, NotFound):
            raise Http404(str(exception.message)) from exception
        if isinstance(exception, PermissionDenied):
            raise DjangoPermissionDenied(str(exception.message)) from exception
        return render(
            request,
            "web/refused.html",
            {"message": exception.message},
            status=exception.http_status,
        )
