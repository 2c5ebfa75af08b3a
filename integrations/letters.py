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
        from documents.services import document_issue  # type: ignore[attr-defined]

        context: dict[str, Any] = {
            "department": department.name,
            "office": department.office,
            "answer_days": department.answer_days,
            "inquiries": [inquiry.pk for inquiry in inquiries],
        }
        document = document_issue(
            kind=self.KINDS[kind], issuer=department.organisation, context=context, actor=actor
        )
        return DocumentRef(id=document.pk, number=str(document.number))

    def load(self, *, document_id: int | None, number: str) -> LetterFile:
        from documents.models import Document  # type: ignore[attr-defined]

        document = Document.objects.get(pk=document_id)
        stored = getattr(document, "file", None) or getattr(document, "pdf", None)
        if not stored:
            raise LetterNotReady(number)
        with stored.open("rb") as handle:
            data = handle.read()
        return LetterFile(
            filename=f"letter-{document_id}.pdf", pdf=data, document_id=document_id, number=number
        )


@lru_cache(maxsize=4)
def _backend(path: str) -> LetterBackend:
    backend: LetterBackend = import_string(path)()
    return backend


def letter_backend() -> LetterBackend:
    return _backend(settings.LIANLUO_LETTER_BACKEND)
