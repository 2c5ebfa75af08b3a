"""Request ids: one per request, echoed in the response and attached to every log record."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from casework.request_id import current_request_id, request_id_var

__all__ = ["RequestIdFilter", "RequestIdMiddleware", "current_request_id", "request_id_var"]

_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    header = "HTTP_X_REQUEST_ID"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get(self.header, "")
        request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        request.request_id = request_id  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RefuseNulMiddleware:
    """A NUL character in the path, the query string, a cookie or a form field is a 400: no
    URL or field of ours takes one, and PostgreSQL cannot store it (a 500 otherwise, e.g.
    `GET /api/v1/verify/%00/` or a forged session cookie). JSON bodies are checked by the
    API's parser (web.api.parsers)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._carries_nul(request):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request: HttpRequest) -> bool:
        parts: list[str] = [request.path_info]
        for key, values in request.GET.lists():
            parts.append(key)
            parts.extend(values)
        parts.extend(request.COOKIES.values())
        form = request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
        if form and request.method == "POST" and not request.path_info.startswith("/api/"):
            for key, values in request.POST.lists():
                parts.append(key)
                parts.extend(values)
        return any("\x00" in part for part in parts)

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse:
        from django.http import HttpResponseBadRequest, JsonResponse
        from django.utils.translation import gettext as _

        if request.path_info.startswith("/api/"):
            from web.api.errors import PROBLEM_CONTENT_TYPE, problem

            body = problem(status_code=400, code="nul_byte", detail=_("请求中不能包含 NUL 字符。"))
            return JsonResponse(
                body,
                status=400,
                content_type=PROBLEM_CONTENT_TYPE,
                json_dumps_params={"ensure_ascii": False},
            )
        return HttpResponseBadRequest(
            _("请求中不能包含 NUL 字符。"), content_type="text/plain; charset=utf-8"
        )


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class DefaultLanguageMiddleware:
    """Chinese unless the user chose otherwise (language cookie); the browser's
    Accept-Language is deliberately ignored: this is a Chinese product with English on request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
