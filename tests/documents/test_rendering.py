"""Every kind renders from realistic data into a PDF that passes the checks a reviewer makes."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from documents.kinds import DocumentKind, Layout, format_number, spec_for
from documents.render import render_pdf
from documents.samples import SAMPLE_ISSUER, sample_context
from tests.documents import pdfcheck

ALL_KINDS = [k.value for k in DocumentKind]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdf")
    paths = {}
    for serial, kind in enumerate(ALL_KINDS, 1):
        pdf = render_pdf(
            kind=kind,
            issuer=SAMPLE_ISSUER,
            context=sample_context(kind),
            number=format_number(doc_code="榕教工委", kind=kind, year=2026, serial=serial),
            verify_code="TESTCODE2345",
        )
        path = out / f"{kind}.pdf"
        path.write_bytes(pdf)
        paths[kind] = path
    return paths


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_every_kind_extracts_back_its_number_title_names_and_date(rendered, kind):
    text = pdfcheck.text(rendered[kind])
    serial = ALL_KINDS.index(kind) + 1
    assert format_number(doc_code="榕教工委", kind=kind, year=2026, serial=serial) in text
    assert "王䶮" in text
    assert "2026年11月26日" in text
    assert "TESTCODE2345" in text


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        ("inquiry_letter", "中共福州市委教育工委关于协助查找失联党员的函"),
        ("reminder_letter", "中共福州市委教育工委关于催办协助查找失联党员事项的函"),
        ("register_form", "失联党员登记表"),
        ("decision_removal", "关于对王䶮同志除名的决定"),
        ("decision_suspension", "关于对王䶮同志停止党籍的决定"),
        ("request", "关于对王䶮同志停止党籍的请示"),
        ("reply", "关于同意对王䶮同志停止党籍的批复"),
        ("dossier", "王䶮同志失联处置案卷"),
        ("transfer_chaser", "关于催退党员组织关系介绍信回执的函"),
    ],
)
def test_titles_extract_back(rendered, kind, title):
    assert title in pdfcheck.text(rendered[kind])


def test_inquiry_letter_lists_every_member_with_rare_characters(rendered):
    text = pdfcheck.text(rendered["inquiry_letter"])
    assert "失联党员名单" in text
    for name in ("王䶮", "吉𠮷", "陈思远"):
        assert name in text
    assert "350103199207210028" in text


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_every_font_is_embedded(rendered, kind):
    fonts = pdfcheck.fonts(rendered[kind])
    assert fonts
    assert all(emb == "yes" for _, emb in fonts), fonts


def test_rare_characters_fall_back_to_noto_cjk(rendered):
    names = " ".join(name for name, _ in pdfcheck.fonts(rendered["inquiry_letter"]))
    for role in ("GW-FangSong", "GW-Song-Bold", "GW-Hei", "GW-Kai"):
        assert role in names
    assert "Noto" in names


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_every_page_is_a4(rendered, kind):
    for page in PdfReader(rendered[kind]).pages:
        assert float(page.mediabox.width) == pytest.approx(pdfcheck.A4[0], abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(pdfcheck.A4[1], abs=0.5)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_text_stays_inside_the_type_area(rendered, kind):
    top = 30 if spec_for(kind).layout == Layout.LETTER else 37
    assert pdfcheck.outside_type_area(rendered[kind], first_page_top_mm=top) == []


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_qpdf_check_passes(rendered, kind):
    result = pdfcheck.qpdf_check(rendered[kind])
    assert result.returncode == 0, result.stdout + result.stderr


def test_issued_documents_declare_pdf_a_2b(rendered):
    meta = PdfReader(rendered["decision_removal"]).xmp_metadata
    assert meta is not None
    xml = meta.stream.get_data().decode()
    assert "<pdfaid:part>2</pdfaid:part>" in xml or 'pdfaid:part="2"' in xml
    assert "B" in xml.split("conformance")[1][:8]


def test_page_numbers_alternate_right_and_left(rendered):
    _, words = pdfcheck.words(rendered["dossier"])
    folios = [w for w in words if w.text.isdigit() and w.y0 > (297 - 35) * pdfcheck.MM]
    assert [w.text for w in folios][:2] == ["1", "2"]
    odd, even = folios[0], folios[1]
    assert odd.x0 > 105 * pdfcheck.MM  # right half
    assert even.x1 < 105 * pdfcheck.MM  # left half


def test_letter_format_shows_no_page_number_on_its_first_page(rendered):
    _, words = pdfcheck.words(rendered["inquiry_letter"])
    folio_pages = {w.page for w in words if w.text.isdigit() and w.y0 > (297 - 35) * pdfcheck.MM}
    assert 1 not in folio_pages
    assert 2 in folio_pages


def test_a_draft_preview_has_a_watermark_and_no_number():
    pdf = render_pdf(
        kind="decision_removal",
        issuer=SAMPLE_ISSUER,
        context=sample_context("decision_removal"),
        draft=True,
    )
    from io import BytesIO

    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    assert "草" in text and "稿" in text
    assert "〔" not in text
