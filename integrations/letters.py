"""The small interface between delivery and the documents app.

Delivery needs two things: issue a numbered letter document for a batch of inquiries, and
later the rendered PDF bytes. `settings.LIANLUO_LETTER_BACKEND` names the class doing both
(tests plug in a fixture backend with real PDF bytes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

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
    """The real backend: documents.issuing and the stored, rendered PDF."""

    KINDS = {"inquiry": "inquiry_letter", "reminder": "reminder_letter"}

    def issue(
        self,
        *,
        kind: str,
        department: Department,
        inquiries: Sequence[Inquiry],
        actor: AbstractBaseUser | None,
    ) -> DocumentRef:
        """The letter's facts come from documents.facts (a reminder cites the inquiry letter
        these inquiries went out in)."""
        from documents.issuing import department_letter_issue
        from documents.models import Document
        from integrations.models import DepartmentChannel, InquiryLetter, LetterKind

        channel = DepartmentChannel.objects.filter(department=department).first()
        original = None
        if kind == LetterKind.REMINDER:
            original_id = (
                InquiryLetter.objects.filter(
                    kind=LetterKind.INQUIRY, department=department, inquiries__in=inquiries
                )
                .order_by("-created_at", "-id")
                .values_list("document_id", flat=True)
                .first()
            )
            original = Document.objects.filter(pk=original_id).first() if original_id else None
        document = department_letter_issue(
            kind=self.KINDS[kind],
            department=department,
            inquiries=inquiries,
            actor=actor,
            items=channel.lookup_labels() if channel is not None else (),
            original=original,
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


@lru_cache(maxsize=4)
def _backend(path: str) -> LetterBackend:
    backend: LetterBackend = import_string(path)()
    return backend


def letter_backend() -> LetterBackend:
    return _backend(settings.LIANLUO_LETTER_BACKEND)
