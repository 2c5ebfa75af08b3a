"""One HTML handler turns a domain error a page does not show itself into a response by the
error's `http_status`: NotFound → 404 page, PermissionDenied → 403 page, Conflict → 409 and
other refusals → 400 with the Chinese message (web.errors)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.test import RequestFactory

from casework.errors import Conflict, DomainError, NotFound, PermissionDenied
from web.errors import DomainErrorMiddleware

pytestmark = pytest.mark.django_db


def _handle(exc: Exception):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    return DomainErrorMiddleware(lambda r: None).process_exception(request, exc)  # type: ignore[arg-type,return-value]


def test_refusals_answer_with_their_status_and_message() -> None:
    conflict = _handle(Conflict("该任务已由他人认领办理。", code="task_taken"))
    assert conflict.status_code == 409 and "该任务已由他人认领办理。" in conflict.content.decode()
    rule = _handle(DomainError("申辩期限未满。"))
    assert rule.status_code == 400 and "申辩期限未满。" in rule.content.decode()


def test_not_found_and_forbidden_are_django_s_own_pages() -> None:
    with pytest.raises(Http404):
        _handle(NotFound("不存在"))
    with pytest.raises(DjangoPermissionDenied):
        _handle(PermissionDenied("无权"))


def test_other_exceptions_are_left_alone() -> None:
    assert _handle(ValueError("x")) is None


def test_an_inspector_recording_a_contact_gets_the_services_403(client, world) -> None:
    from tests.factories import make_member

    member = make_member(world.branch)
    client.force_login(world.inspector)
    response = client.post(f"/prevention/members/{member.pk}/contact/", {"quick": "phone:reached"})
    assert response.status_code == 403
