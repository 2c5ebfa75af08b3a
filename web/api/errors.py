"""Every API error is an RFC 9457 problem document (application/problem+json), never a trace.

The rule (documented in the schema's error responses and the README):
- 400 `invalid`: the request breaks the schema (a type, a required field, a length, a
  pattern, an enum): DRF validation errors whose codes are all shape codes (SCHEMA_CODES).
- 422: a well-formed request the rules refuse (a business refusal): every DomainError that
  is not NotFound 404, PermissionDenied 403 or Conflict 409, and validation errors with any
  other code (an id that names nothing usable, a rule checked by a serializer).
DRF and Django exceptions otherwise keep their status; anything unexpected is logged and
answered with a bare 500 problem.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from casework.errors import DomainError, NotFound

log = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "urn:lianluo:problem:"

TITLES: dict[int, Any] = {
    400: _("请求无效"),
    401: _("未认证"),
    403: _("无权操作"),
    404: _("未找到"),
    405: _("不支持的请求方法"),
    406: _("不支持的响应格式"),
    409: _("状态冲突"),
    422: _("请求被业务规则拒绝"),
    413: _("请求内容过大"),
    415: _("不支持的内容类型"),
    429: _("请求过于频繁"),
    500: _("服务器内部错误"),
}
NOT_FOUND = _("未找到，或不在您的权限范围内。")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("上传内容过大。")
    default_code = "too_large"


def problem(
    *, status_code: int, code: str, detail: Any, errors: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"{TYPE_BASE}{code}",
        "title": str(TITLES.get(status_code, _("请求失败"))),
        "status": status_code,
        "detail": str(detail),
        "code": code,
    }
    if errors:
        body["errors"] = errors
    return body


# DRF messages that quote the submitted value ('"x" is not a valid choice.', 'Invalid pk "x"
# - object does not exist.'): replaced, so an error body never echoes what was sent.
ECHOING_CODES: dict[str, Any] = {
    "invalid_choice": _("不是有效的选项。"),
    "does_not_exist": _("对象不存在。"),
    "invalid_pk_value": _("对象不存在。"),
    "no_match": _("对象不存在。"),
}


def _message(value: Any) -> str:
    code = getattr(value, "code", None)
    if code in ECHOING_CODES:
        return str(ECHOING_CODES[code])
    return str(value)


def _field_errors(detail: Any) -> dict[str, list[str]]:
    """DRF's nested ValidationError detail flattened to {"field" or "a.0.b": [messages]}."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), item)
        elif isinstance(value, list) and value and not all(isinstance(v, str) for v in value):
            for index, item in enumerate(value):
                walk(f"{prefix}.{index}" if prefix else str(index), item)
        elif isinstance(value, list):
            if value:
                out.setdefault(prefix or "non_field_errors", []).extend(_message(v) for v in value)
        else:
            out.setdefault(prefix or "non_field_errors", []).append(_message(value))

    walk("", detail)
    return out


# DRF validation codes that say the request breaks its schema (→ 400); any other code is a
# refusal of a well-formed request (→ 422). Serializers raise business refusals with
# code=REFUSED. (A range the schema cannot state — a decimal's minimum, the schema's decimals
# being strings — is the rules': min_value/max_value answer 422; so is `empty`, an empty
# upload or list.)
SCHEMA_CODES = frozenset(
    {
        "required",
        "null",
        "blank",
        "invalid",
        "max_length",
        "min_length",
        "invalid_choice",
        "not_a_list",
        "not_a_dict",
        "incorrect_type",
        "max_digits",
        "max_decimal_places",
        "max_whole_digits",
        "max_string_length",
        "date",
        "datetime",
        "parse_error",
    }
)
REFUSED = "refused"
BUSINESS_REFUSAL = 422


def _codes(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_codes(item) for item in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_codes(item) for item in value)) if value else set()
    return {str(value)}


def _problem_for(exc: Exception) -> dict[str, Any] | None:
    if isinstance(exc, NotFound):  # one message whether missing or out of scope
        return problem(status_code=404, code="not_found", detail=NOT_FOUND)
    if isinstance(exc, DomainError):
        errors = getattr(exc, "errors", None)
        return problem(
            status_code=BUSINESS_REFUSAL if exc.http_status == 400 else exc.http_status,
            code=exc.code,
            detail=exc.message,
            errors={k: v if isinstance(v, list) else [str(v)] for k, v in errors.items()}
            if isinstance(errors, dict)
            else None,
        )
    if isinstance(exc, exceptions.ValidationError):
        shape = _codes(exc.get_codes()) <= SCHEMA_CODES
        return problem(
            status_code=400 if shape else BUSINESS_REFUSAL,
            code="invalid" if shape else REFUSED,
            detail=_("提交的数据有误。"),
            errors=_field_errors(exc.detail),
        )
    if isinstance(exc, DataError):
        # Input the database cannot take (a value out of range, a NUL the parsers missed):
        # the request's fault, answered as such; logged to find where validation is missing.
        log.warning("API input refused by the database: %s", type(exc.__cause__).__name__)
        return problem(status_code=400, code="invalid", detail=_("提交的数据有误。"))
    if isinstance(exc, RequestDataTooBig):
        return problem(status_code=413, code="too_large", detail=PayloadTooLarge.default_detail)
    if isinstance(exc, Http404):
        return problem(status_code=404, code="not_found", detail=NOT_FOUND)
    if isinstance(exc, DjangoPermissionDenied):
        return problem(status_code=403, code="forbidden", detail=_("您无权执行此操作。"))
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        detail = exc.detail if isinstance(exc.detail, str) else exc.default_detail
        return problem(status_code=exc.status_code, code=str(code), detail=detail)
    return None


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    body = _problem_for(exc)
    if body is None:
        log.exception("unexpected API error in %s", type(context.get("view")).__name__)
        body = problem(
            status_code=500, code="server_error", detail=_("服务器内部错误，请稍后再试。")
        )
    set_rollback()
    headers: dict[str, str] = {}
    if isinstance(exc, exceptions.APIException):
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            headers["WWW-Authenticate"] = auth_header
        wait = getattr(exc, "wait", None)
        if wait is not None:
            headers["Retry-After"] = str(int(wait))
    return Response(body, status=body["status"], headers=headers, content_type=PROBLEM_CONTENT_TYPE)


@csrf_exempt
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unmatched /api/ URLs (e.g. a malformed id) answer a problem document, not the HTML page."""
    body = problem(status_code=404, code="not_found", detail=NOT_FOUND)
    return JsonResponse(
        body,
        status=404,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
