"""HTML → PDF for every document kind (WeasyPrint, PDF/A-2b for issued documents).

Pure function of its inputs: no database access, so the same code renders draft previews,
issued documents in the Celery worker, the samples command and the benchmark.

Context keys every kind understands (all optional; values are plain JSON):
  date ("2026-11-26", set by document_issue), title or title_lines (list of lines),
  addressee, body (list of paragraphs: "text", {"h1": …}, {"h2": …}) appended after the
  kind's standard text, attachments ([{"name", "header", "rows", "widths"}]: a note, and a
  table page when rows are given), signature (defaults to the issuer), contact.
Kind-specific keys (member, members, department, due_date, talk, meeting, approvals,
timeline, …) are read by documents/templates/documents/kinds/<kind>.html and built from a
case's records by documents/facts/. Templates are strict (documents/templating.py): a
missing key raises MissingFact naming it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.utils import translation
from weasyprint import HTML
from weasyprint.document import Document

from documents.fonts import shared_fonts
from documents.kinds import DocumentKind, spec_for
from documents.pdf_output import compress_streams_once
from documents.templating import render_document_template

PDF_VARIANT = "pdf/a-2b"
DOCUMENT_LANGUAGE = "zh-hans"


def document_language() -> translation.override:
    """Formal documents are Chinese whatever the reader's UI language: build their contexts
    (choice labels) and render them inside this."""
    return translation.override(DOCUMENT_LANGUAGE)


@dataclass(frozen=True)
class Issuer:
    """What a document prints about its issuing organisation."""

    mark: str  # 发文机关标志 (red header), e.g. 中共福州市委教育工委
    name: str  # full name for the signature


def verify_url(code: str) -> str:
    return f"{settings.LIANLUO_PUBLIC_URL.rstrip('/')}/verify/{code}"


def date_cn(value: dt.date | str | None) -> str:
    """2026年11月26日 (Arabic numerals, no leading zeros)."""
    if value is None or value == "":
        value = dt.date.today()
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.year}年{value.month}月{value.day}日"


def _blocks(body: Any) -> list[dict[str, str]]:
    """Body paragraphs: a string, {"h1": …}, {"h2": …} or {"text": …} each."""
    out: list[dict[str, str]] = []
    for item in body or []:
        if isinstance(item, str):
            out.append({"kind": "p", "text": item})
        elif isinstance(item, dict):
            for key in ("h1", "h2", "text"):
                if key in item:
                    out.append({"kind": "p" if key == "text" else key, "text": str(item[key])})
                    break
    return out


def template_context(
    *,
    kind: str,
    issuer: Issuer,
    context: dict[str, Any],
    number: str,
    verify_code: str,
    draft: bool,
) -> dict[str, Any]:
    spec = spec_for(kind)
    ctx: dict[str, Any] = dict(context)
    qr = ""
    if verify_code:
        qr = segno.make(verify_url(verify_code), error="m", mask=0).png_data_uri(scale=4, border=0)
    ctx.update(
        kind=kind,
        kind_label=DocumentKind(kind).label,
        layout=spec.layout,
        issuer_mark=issuer.mark,
        issuer_name=issuer.name,
        signature=context.get("signature") or issuer.name,
        number=number,
        verify_code=verify_code,
        qr_data_uri=qr,
        draft=draft,
        date_cn=date_cn(context.get("date")),
        blocks=_blocks(context.get("body")),
        attachments=list(context.get("attachments") or []) or _member_list(kind, context),
    )
    return ctx


MEMBER_LIST_HEADER = [
    "序号",
    "姓名",
    "性别",
    "出生年月",
    "公民身份号码",
    "原工作单位",
    "最后联系时间",
]
MEMBER_LIST_WIDTHS = ["6%", "10%", "6%", "14%", "25%", "24%", "15%"]


def _member_list(kind: str, context: dict[str, Any]) -> list[dict[str, Any]]:
    """Inquiry and reminder letters list their members in an attached table."""
    members = context.get("members") or []
    if kind not in (DocumentKind.INQUIRY_LETTER, DocumentKind.REMINDER_LETTER) or not members:
        return []
    rows = [
        [
            str(i),
            m.get("name", ""),
            m.get("gender", ""),
            m.get("birth_date", ""),
            m.get("id_number", ""),
            m.get("employer", ""),
            m.get("last_contact_date", ""),
        ]
        for i, m in enumerate(members, 1)
    ]
    return [
        {
            "name": "失联党员名单",
            "header": MEMBER_LIST_HEADER,
            "widths": MEMBER_LIST_WIDTHS,
            "rows": rows,
        }
    ]


def render_html(**kwargs: Any) -> str:
    with document_language():
        ctx = template_context(**kwargs)
        return render_document_template(spec_for(ctx["kind"]).template, ctx)


def layout_pdf(html: str, *, draft: bool) -> Document:
    """Lay out one HTML document with the process-wide fonts and stylesheet."""
    config, _ = shared_fonts()
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        font_config=config, **_pdf_options(draft)
    )


def write_pdf(document: Document, *, draft: bool) -> bytes:
    pdf: bytes | None = document.write_pdf(finisher=compress_streams_once, **_pdf_options(draft))
    assert pdf is not None
    return pdf


def _pdf_options(draft: bool) -> dict[str, Any]:
    _, css = shared_fonts()
    return {
        "stylesheets": [css],
        "pdf_variant": None if draft else PDF_VARIANT,
        "uncompressed_pdf": False,
    }


def render_pdf(
    *,
    kind: str,
    issuer: Issuer,
    context: dict[str, Any],
    number: str = "",
    verify_code: str = "",
    draft: bool = False,
) -> bytes:
    """The PDF bytes. Drafts carry a 草稿 watermark and no number; issued ones are PDF/A-2b.

    A long dossier is laid out in sections joined afterwards (documents/sections.py), so
    that a render process never holds the layout of the whole file at once.
    """
    from documents.sections import in_sections, render_in_sections

    if in_sections(kind, context):
        return render_in_sections(
            kind=kind,
            issuer=issuer,
            context=context,
            number=number,
            verify_code=verify_code,
            draft=draft,
        )
    html = render_html(
        kind=kind,
        issuer=issuer,
        context=context,
        number=number,
        verify_code=verify_code,
        draft=draft,
    )
    return write_pdf(layout_pdf(html, draft=draft), draft=draft)
