"""The small interface between delivery and the documents app.

Delivery needs two things: issue a numbered letter document for a batch of inquiries, and
later the rendered PDF bytes. `settings.LIANLUO_LETTER_BACKEND` names the class doing both
(tests plug in a fixture backend with real PDF bytes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils.module_loading import import_string

from casework.models import Department, Inquiry


class LetterNotReady(Exception):
    """The document exists but its PDF is not rendered yet: try again later."""


@dataclass(frozen=True)
class DocumentRef:
    id: int | None
    number: str


@dataclass(frozen=True)
class LetterFile:
    filename: str
    pdf: bytes
    document_id: int | None
    number: str


class LetterBackend(Protocol):
    def issue(
        self,
        *,
        kind: str,
        department: Department,
        inquiries: Sequence[Inquiry],
        actor: AbstractBaseUser | None,
    ) -> DocumentRef: ...

    def load(self, *, document_id: int | None, number: str) -> LetterFile: ...


class DocumentsLetterBackend:
    """The real backend: documents.services.document_issue and the stored, rendered PDF."""

    KINDS = {"inquiry": "inquiry_letter", "reminder": "reminder_letter"}

    def issue(
        self,
        *,
        kind: str,
        department: Department,
        inquiries: Sequence[Inquiry],
        actor: AbstractBaseUser | None,
    ) -> DocumentRef:
        from documents.render import document_language
        from documents.services import document_issue
        from integrations.models import DepartmentChannel

        with document_language():  # the letter's choice labels stay Chinese
            channel = DepartmentChannel.objects.filter(department=department).first()
            items = "、".join(channel.lookup_labels()) if channel is not None else ""
            due = max((i.due_date for i in inquiries if i.due_date), default=None)
            context: dict[str, Any] = {
                "department": department.name,
                "addressee": department.name,
                "members": [_member_row(inquiry) for inquiry in inquiries],
                "items": f"{items}等信息" if items else "",
                "due_date": f"{due:%Y年%-m月%-d日}"
                if due
                else f"收函后{department.answer_days}个工作日内",
                "inquiries": [inquiry.pk for inquiry in inquiries],
            }
            document = document_issue(
                kind=self.KINDS[kind], issuer=department.organisation, context=context, actor=actor
            )
        return DocumentRef(id=document.pk, number=str(document.number))

    def load(self, *, document_id: int | None, number: str) -> LetterFile:
        from documents.models import Document

        document = Document.objects.filter(pk=document_id).first() if document_id else None
        if document is None or not document.sha256 or not document.file:
            raise LetterNotReady(number)
        with document.file.open("rb") as handle:
            data = handle.read()
        return LetterFile(
            filename=f"{document.verify_code}.pdf", pdf=data, document_id=document_id, number=number
        )


def _member_row(inquiry: Inquiry) -> dict[str, str]:
    member = inquiry.case.member
    return {
        "name": member.name,
        "gender": member.get_gender_display(),
        "birth_date": f"{member.birth_date:%Y年%-m月}" if member.birth_date else "",
        "id_number": member.id_number,
        "employer": member.employer,
        "last_contact_date": f"{member.last_contact_date:%Y年%-m月%-d日}"
        if member.last_contact_date
        else "",
    }


@lru_cache(maxsize=4)
def _backend(path: str) -> LetterBackend:
    backend: LetterBackend = import_string(path)()
    return backend


def letter_backend() -> LetterBackend:
    return _backend(settings.LIANLUO_LETTER_BACKEND)
