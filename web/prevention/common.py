"""Shared pieces of the prevention screens: scoped look-ups (out of scope → 404), the
read-only refusal (403), safe redirects and PDF responses of documents reached through a
prevention object the user may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from casework.access import WRITE_ROLES, has_role_over
from casework.errors import Conflict, DomainError, InvalidData, NotFound
from casework.errors import PermissionDenied as DomainPermissionDenied
from casework.models import Organisation
from casework.selectors.organisations import organisation_get_for_user
from documents.models import Document
from documents.services import document_download

T = TypeVar("T")


def forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "web/prevention/forbidden.html", status=403)


def may_write(request: HttpRequest, organisation: Organisation) -> bool:
    return has_role_over(request.user, organisation, WRITE_ROLES)


def scoped(getter: Callable[..., T], request: HttpRequest, pk: Any) -> T:
    """`getter(user=…, pk=…)` or 404."""
    try:
        return getter(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc


def organisation_or_404(request: HttpRequest, pk: Any) -> Organisation:
    return scoped(organisation_get_for_user, request, pk)


def refusal_text(exc: DomainError) -> str:
    """A refusal in the user's language, with its field details when there are."""
    details: list[str] = []
    if isinstance(exc, InvalidData):
        for value in exc.errors.values():
            details.extend([value] if isinstance(value, str) else value)
    return "；".join([str(exc.message), *[d for d in details if d]])


def domain_message(request: HttpRequest, exc: DomainError) -> None:
    """A refusal as a message in the user's language, with field details when there are."""
    messages.error(request, refusal_text(exc))


def document_pdf(request: HttpRequest, document_id: int | None) -> HttpResponse:
    """The stored PDF of a document reached through an object in the user's scope
    (document_download audits the download)."""
    if document_id is None:
        raise Http404
    document = Document.objects.select_related("issuer").filter(pk=document_id).first()
    if document is None:
        raise Http404
    try:
        data = document_download(document=document, actor=request.user)
    except Conflict as exc:
        return HttpResponse(str(exc.message), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="document-{document.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def refused(request: HttpRequest, exc: DomainError) -> HttpResponse | None:
    """403 page for a permission refusal; None for other refusals (shown as messages)."""
    if isinstance(exc, DomainPermissionDenied):
        return forbidden(request)
    return None


def date_param(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default
