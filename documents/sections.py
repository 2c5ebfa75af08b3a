"""A long dossier laid out in sections and joined into one PDF.

WeasyPrint holds the layout of every page of a document until it is written: a case file of
1,200 timeline events (≈ 50 pages) took a render process to ~390 MB. The dossier is therefore
laid out SECTION_EVENTS events at a time:

- the first section is the dossier itself (header, verification code, document list) with the
  first events; each later one is the timeline alone (kinds/dossier_continued.html), its event
  numbers and page numbers going on from where the section before stopped;
- a section that is not the last drops its last page and hands the events printed there to
  the next section (events never break across pages), so every page is as full as in one
  pass and the joined file reads as one document;
- the sections are joined with pypdf onto a clone of the first, which keeps its PDF/A
  metadata, output intent and bookmarks.

Only one section's layout is alive at a time.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from pypdf import PdfReader, PdfWriter
from weasyprint.document import Document, Page

from documents.kinds import DocumentKind
from documents.render import (
    Issuer,
    document_language,
    layout_pdf,
    render_html,
    template_context,
    write_pdf,
)
from documents.templating import render_document_template

SECTION_EVENTS = 240
CONTINUED_TEMPLATE = "documents/kinds/dossier_continued.html"


def in_sections(kind: str, context: dict[str, Any]) -> bool:
    return kind == DocumentKind.DOSSIER and len(context.get("timeline") or []) > SECTION_EVENTS


def _event_numbers(page: Page) -> set[int]:
    """The numbers (data-n) of the timeline events laid out on a page."""
    found: set[int] = set()
    stack = [page._page_box]
    while stack:
        box = stack.pop()
        element = getattr(box, "element", None)
        if element is not None and getattr(box, "element_tag", "") == "p":
            n = element.get("data-n")
            if n:
                found.add(int(n))
        stack.extend(getattr(box, "children", None) or ())
    return found


def _section_html(
    *,
    kind: str,
    issuer: Issuer,
    context: dict[str, Any],
    number: str,
    verify_code: str,
    draft: bool,
    events: list[Any],
    offset: int,
    first_page: int,
) -> str:
    if offset == 0:
        return render_html(
            kind=kind,
            issuer=issuer,
            context={**context, "timeline": events},
            number=number,
            verify_code=verify_code,
            draft=draft,
        )
    with document_language():
        ctx = template_context(
            kind=kind, issuer=issuer, context=context, number="", verify_code="", draft=draft
        )
        ctx.update(
            timeline=events, event_offset=offset, first_page=first_page, verso=first_page % 2 == 0
        )
        return render_document_template(CONTINUED_TEMPLATE, ctx)


def render_in_sections(
    *,
    kind: str,
    issuer: Issuer,
    context: dict[str, Any],
    number: str = "",
    verify_code: str = "",
    draft: bool = False,
) -> bytes:
    events = list(context.get("timeline") or [])
    parts: list[bytes] = []
    offset, first_page = 0, 1
    while True:
        chunk = events[offset : offset + SECTION_EVENTS]
        last = offset + len(chunk) >= len(events)
        document: Document = layout_pdf(
            _section_html(
                kind=kind,
                issuer=issuer,
                context=context,
                number=number,
                verify_code=verify_code,
                draft=draft,
                events=chunk,
                offset=offset,
                first_page=first_page,
            ),
            draft=draft,
        )
        pages = list(document.pages)
        next_offset = offset + len(chunk)
        if not last and len(pages) > 1:
            on_last_page = _event_numbers(pages[-1])
            # Hand the last page's events to the next section (numbers count from 1).
            if on_last_page and min(on_last_page) - 1 > offset:
                next_offset = min(on_last_page) - 1
                pages = pages[:-1]
        parts.append(write_pdf(document.copy(pages), draft=draft))
        first_page += len(pages)
        del document, pages
        if last:
            break
        offset = next_offset
    return join_pdfs(parts)


def join_pdfs(parts: list[bytes]) -> bytes:
    """One PDF: the first part cloned (catalog, metadata, outline), the others' pages after."""
    writer = PdfWriter(clone_from=PdfReader(BytesIO(parts[0])))
    for part in parts[1:]:
        writer.append(PdfReader(BytesIO(part)), import_outline=False)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
