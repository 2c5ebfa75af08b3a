"""A long dossier is laid out in sections (documents/sections.py) and reads as one pass would:
the same pages and text, page numbers going on across sections on the right side of the page,
every event once and in order, the bookmark, the verification code and the PDF/A catalog of
the first section."""

from __future__ import annotations

import re
import subprocess
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from bench.bench_documents import dossier_context
from documents import sections
from documents.render import Issuer, layout_pdf, render_pdf
from tests.documents import pdfcheck

EVENTS = 100
SECTION_EVENTS = 30  # several sections, each handing its last page on
VERIFY_CODE = "SECT2345ABCD"
BRANCH = "福州第一中学第一党支部"


def _render(context: dict[str, Any], *, draft: bool = False) -> bytes:
    return render_pdf(
        kind="dossier",
        issuer=Issuer(mark=BRANCH, name=BRANCH),
        context=context,
        verify_code="" if draft else VERIFY_CODE,
        draft=draft,
    )


@pytest.fixture(scope="module")
def dossier(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    context = dossier_context(EVENTS)
    out = tmp_path_factory.mktemp("sections")
    layouts: list[str] = []
    with pytest.MonkeyPatch.context() as mp:

        def counting_layout(html: str, *, draft: bool) -> Any:
            layouts.append(html)
            return layout_pdf(html, draft=draft)

        mp.setattr("documents.sections.layout_pdf", counting_layout)
        mp.setattr(sections, "SECTION_EVENTS", SECTION_EVENTS)
        in_sections = _render(context)
        mp.setattr(sections, "SECTION_EVENTS", 10_000)
        one_pass = _render(context)
    paths = {"sections": out / "sections.pdf", "one_pass": out / "one_pass.pdf"}
    paths["sections"].write_bytes(in_sections)
    paths["one_pass"].write_bytes(one_pass)
    return {"paths": paths, "layouts": len(layouts) - 1, "context": context}


def _layout_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout


def test_it_lays_the_long_dossier_out_in_several_sections(dossier: dict[str, Any]) -> None:
    assert dossier["layouts"] >= 1 + EVENTS // SECTION_EVENTS  # the one-pass render is the +1


def test_the_joined_file_reads_exactly_as_one_pass(dossier: dict[str, Any]) -> None:
    paths = dossier["paths"]
    pages = [len(PdfReader(paths[k]).pages) for k in ("sections", "one_pass")]
    assert pages[0] == pages[1] >= 4
    assert _layout_text(paths["sections"]) == _layout_text(paths["one_pass"])
    assert pdfcheck.qpdf_check(paths["sections"]).returncode == 0


def test_every_event_is_printed_once_and_in_order(dossier: dict[str, Any]) -> None:
    numbers = [
        int(n)
        for n in re.findall(r"^\s*(\d+)\. ", _layout_text(dossier["paths"]["sections"]), re.M)
    ]
    assert numbers == list(range(1, EVENTS + 1))


def test_page_numbers_go_on_across_sections_on_the_outer_side(dossier: dict[str, Any]) -> None:
    path = dossier["paths"]["sections"]
    sizes, found = pdfcheck.words(path)
    for page in range(2, len(sizes) + 1):
        folio = [
            w for w in found if w.page == page and w.y0 > pdfcheck.FOLIO_Y and w.text == str(page)
        ]
        assert len(folio) == 1, page
        middle = sizes[page - 1][0] / 2
        # odd pages on the right, even pages on the left (GB/T 9704)
        assert (folio[0].x0 > middle) == (page % 2 == 1), page


def test_bookmark_verification_code_and_pdfa_catalog_come_from_the_first_section(
    dossier: dict[str, Any],
) -> None:
    path = dossier["paths"]["sections"]
    reader = PdfReader(path)
    outline = reader.outline
    assert len(outline) == 1 and not isinstance(outline[0], list)
    assert outline[0].title == dossier["context"]["title"]
    root = reader.root_object
    assert "/Metadata" in root and "/OutputIntents" in root
    pages_with_code = [
        i for i, page in enumerate(reader.pages, 1) if VERIFY_CODE in page.extract_text()
    ]
    assert pages_with_code == [1]


def test_a_short_dossier_is_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def in_sections(**kwargs: Any) -> bytes:
        calls.append(1)
        return b""

    monkeypatch.setattr(sections, "render_in_sections", in_sections)
    pdf = _render(dossier_context(sections.SECTION_EVENTS))
    assert calls == [] and len(PdfReader(BytesIO(pdf)).pages) >= 1


def test_a_draft_in_sections_carries_its_watermark_on_every_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sections, "SECTION_EVENTS", SECTION_EVENTS)
    reader = PdfReader(BytesIO(_render(dossier_context(EVENTS), draft=True)))
    assert len(reader.pages) >= 4
    assert all("草稿" in re.sub(r"\s", "", page.extract_text()) for page in reader.pages)
