"""Signed inbound webhook for answers: 401 on a bad signature or stale timestamp, 400 JSON
problem on malformed input, the same single answer on a duplicate, 429 beyond the rate limit
(per client address, before the signature is checked), never a 500."""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from rest_framework.throttling import SimpleRateThrottle

from casework.errors import DomainError
from casework.models import Department, Inquiry
from integrations.client_address import client_ip
from integrations.json_limits import loads_checked
from integrations.models import DepartmentChannel, WebhookReceipt
from integrations.services.answers import answer_record
from integrations.signing import (
    DEPARTMENT_HEADER,
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify,
)

log = logging.getLogger(__name__)


def problem(status: int, title: str, code: str) -> JsonResponse:
    response = JsonResponse(
        {"type": "about:blank", "title": title, "status": status, "code": code},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Content-Type"] = "application/problem+json"
    return response


class WebhookThrottle(SimpleRateThrottle):
    """`api_webhook` rate (REST_FRAMEWORK throttle rates) per client address, on the cache."""

    scope = "api_webhook"

    def get_ident(self, request: Any) -> str:
        return client_ip(request)

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _authenticate(request: HttpRequest) -> Department | JsonResponse:
    """The department whose key signed timestamp, department, idempotency key and body."""
    raw_department = request.headers.get(DEPARTMENT_HEADER, "")
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    try:
        department_id = int(raw_department)
        age = abs(time.time() - int(timestamp))
    except (ValueError, OverflowError):
        return problem(401, "签名无效", "bad_signature")
    if not 0 < department_id < 2**31:
        return problem(401, "签名无效", "bad_signature")
    channel = (
        DepartmentChannel.objects.select_related("department")
        .filter(department_id=department_id)
        .first()
    )
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if channel is None or not verify(
        key=channel.hmac_key,
        timestamp=timestamp,
        department=raw_department,
        idempotency_key=request.headers.get(IDEMPOTENCY_HEADER, ""),
        body=request.body,
        signature=signature,
    ):
        return problem(401, "签名无效", "bad_signature")
    if age > settings.LIANLUO_WEBHOOK_WINDOW_SECONDS:
        return problem(401, "请求已过期", "stale_timestamp")
    return channel.department


def _parse(body: bytes) -> tuple[int, str, dict[str, Any]] | JsonResponse:
    try:
        data = loads_checked(body)
        inquiry_id = data["inquiry"]
        answer = data["answer"]
        details = data.get("details", {})
        if details is None:
            details = {}
        if not isinstance(inquiry_id, int) or not isinstance(answer, str):
            raise TypeError
        if not isinstance(details, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return problem(
            400, "请求格式不正确：需要 inquiry（整数）、answer 和 details（对象）", "malformed"
        )
    return inquiry_id, answer, details


@csrf_exempt
@require_POST
def inquiry_answer_webhook(request: HttpRequest) -> JsonResponse:
    throttle = WebhookThrottle()
    if not throttle.allow_request(request, None):  # type: ignore[arg-type]  # plain view
        response = problem(429, "请求过于频繁，请稍后再试", "throttled")
        response["Retry-After"] = str(max(1, int(throttle.wait() or 1)))
        return response
    department = _authenticate(request)
    if isinstance(department, JsonResponse):
        return department
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key or len(key) > 100:
        return problem(400, "缺少 Idempotency-Key", "missing_idempotency_key")
    body_hash = hashlib.sha256(request.body).hexdigest()
    seen = WebhookReceipt.objects.filter(department=department, key=key).first()
    if seen is not None:
        if seen.body_sha256 != body_hash:
            return problem(409, "Idempotency-Key 已用于不同的请求", "idempotency_key_reused")
        return JsonResponse(seen.response, status=seen.status_code)
    parsed = _parse(request.body)
    if isinstance(parsed, JsonResponse):
        return parsed
    inquiry_id, answer, details = parsed
    inquiry = Inquiry.objects.filter(pk=inquiry_id, department=department).first()
    if inquiry is None:
        return problem(404, "协查不存在", "not_found")
    try:
        with transaction.atomic():
            answer_record(
                inquiry=inquiry, actor=None, answer=answer, details=details, source="webhook"
            )
            payload = {"inquiry": inquiry.pk, "status": "answered", "answer": answer}
            WebhookReceipt.objects.create(
                department=department,
                key=key,
                body_sha256=body_hash,
                inquiry=inquiry,
                status_code=200,
                response=payload,
            )
    except DomainError as exc:
        return problem(exc.http_status, str(exc.message), exc.code)
    except IntegrityError:
        # A concurrent duplicate won the race: answer with its stored response.
        seen = WebhookReceipt.objects.filter(department=department, key=key).first()
        if seen is None or seen.body_sha256 != body_hash:
            return problem(409, "Idempotency-Key 已用于不同的请求", "idempotency_key_reused")
        return JsonResponse(seen.response, status=seen.status_code)
    log.info("webhook answer for inquiry %s from department %s", inquiry.pk, department.pk)
    return JsonResponse(payload, status=200)
