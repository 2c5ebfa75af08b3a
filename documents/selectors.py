"""Reading documents: scoped to the user, and the public verification (no personal data)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db.models import QuerySet

from casework.access import REGISTER_ROLES, User, scope_q
from casework.errors import NotFound
from documents.kinds import DocumentKind
from documents.models import Document, DocumentStatus


def document_list_for_user(*, user: User) -> QuerySet[Document]:
    """Documents of the user's subtrees: by the case's organisation or by the issuer."""
    q = scope_q(user, "issuer__path", REGISTER_ROLES) | scope_q(
        user, "case__organisation__path", REGISTER_ROLES
    )
    return Document.objects.filter(q).select_related("issuer").order_by("-created_at", "-pk")


def document_get_for_user(*, user: User, pk: int) -> Document:
    try:
        return document_list_for_user(user=user).get(pk=pk)
    except (Document.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("not found") from exc


@dataclass(frozen=True)
class Verification:
    """What the public verification page may show: nothing about the people concerned."""

    number: str
    issuer: str
    kind: str
    issued_on: dt.date
    sha256: str
    status: str
    status_label: str
    replaced_by: str

    @property
    def is_valid(self) -> bool:
        return self.status == DocumentStatus.ISSUED


def _verification(document: Document) -> Verification:
    replacement = Document.objects.filter(replaces=document).values_list("number", flat=True)
    return Verification(
        number=document.number or "",
        issuer=document.issuer.issuer_name or document.issuer.name,
        kind=str(DocumentKind(document.kind).label),
        issued_on=document.issued_on,
        sha256=document.sha256,
        status=document.status,
        status_label=str(DocumentStatus(document.status).label),
        replaced_by=str(replacement.first() or ""),
    )


def verification_by_code(code: str) -> Verification | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 16:
        return None
    document = Document.objects.select_related("issuer").filter(verify_code=code).first()
    return _verification(document) if document is not None else None


def verification_by_bytes(data: bytes) -> Verification | None:
    """The issued document whose stored bytes are exactly `data`, if any."""
    digest = hashlib.sha256(data).hexdigest()
    document = Document.objects.select_related("issuer").filter(sha256=digest).first()
    return _verification(document) if document is not None else None
