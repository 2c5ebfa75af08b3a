"""What a locked-out login gets (django-axes, AXES_LOCKOUT_CALLABLE): the Chinese lockout page
in the browser, an RFC 9457 problem document (429, Retry-After) from the API."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off, get_failure_limit, get_lockout_message
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from web.api.errors import PROBLEM_CONTENT_TYPE, problem


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    cool_off = get_cool_off(request)
    if request.path.startswith("/api/"):
        body = problem(status_code=429, code="locked_out", detail=get_lockout_message())
        response: HttpResponse = JsonResponse(
            body,
            status=429,
            content_type=PROBLEM_CONTENT_TYPE,
            json_dumps_params={"ensure_ascii": False},
        )
        if cool_off:
            response["Retry-After"] = str(int(cool_off.total_seconds()))
        return response
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_timedelta": cool_off,
    }
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
