"""Every kind, as a real case issued it, passes the checks an organisation-department official
makes by hand: the right title for its kind, no hole where a fact belongs, the red header of the
organ that signs, the signature never alone on its page, the 版记 of file-format documents,
and the GB/T 9704 page (A4, type area, fonts embedded, PDF/A-2b, page numbers)."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from pypdf import PdfReader

from documents.kinds import DocumentKind, Layout, spec_for
from documents.render import render_pdf
from documents.services import issuer_of
from tests.documents import pdfcheck
from workflows.case.outcomes import OUTGOING_LETTER, SAMPLES

pytestmark = pytest.mark.django_db  # the demo cases need the test database

K = DocumentKind
# Every kind, and the letter to an outgoing member (a member_letter too) by its sample name.
ALL_SAMPLES = SAMPLES

TITLES = {
    K.REGISTER_FORM: r"^失联党员登记表$",
    K.MEMBER_LETTER: r"^致.+同志的一封信$",
    K.TALK_RECORD: r"^谈话记录$",
    K.INQUIRY_LETTER: r"^中共.+关于协助查找失联党员的函$",
    K.REMINDER_LETTER: r"^中共.+关于催办协助查找失联党员事项的函$",
    K.PUBLIC_NOTICE: r"^中共.+关于督促.+同志与党组织取得联系的公告$",
    K.APPROVAL_FORM: r"^党员组织处置审批表$",
    K.PRE_REVIEW_OPINION: r"^关于给予.+同志(劝退|除名)处置的预审意见$",
    K.DEFENCE_NOTICE: r"^关于拟.+同志.+的告知书$",
    K.DELIVERY_RECEIPT: r"^送达回证$",
    K.MEETING_RESOLUTION: r"^关于.+同志.+的决议$",
    K.REQUEST: r"^关于.+同志.+的请示$",
    K.FILING_REPORT: r"^关于.+同志退党除名的备案报告$",
    K.REPLY: r"^关于同意.+同志.+的批复$",
    K.DECISION_CORRECTION: r"^关于给予.+同志限期改正处置的决定$",
    K.DECISION_PERSUASION: r"^关于给予.+同志劝退处置的决定$",
    K.DECISION_REMOVAL: r"^关于给予.+同志除名处置的决定$",
    K.DECISION_REMOVAL_AFTER_PERSUASION: r"^关于给予.+同志除名处置的决定$",
    K.DECISION_SUSPENSION: r"^关于给予.+同志停止党籍处置的决定$",
    K.DECISION_ANNUL_PROBATION: r"^关于取消.+同志预备党员资格的决定$",
    K.DECISION_RESTORATION: r"^关于恢复.+同志党籍的决定$",
    K.CORRECTION_REVIEW: r"^关于.+同志限期改正期满的考察意见$",
    K.RESTORATION_FORM: r"^恢复党籍申请审批表$",
    K.APPEAL_ACKNOWLEDGEMENT: r"^关于受理.+同志申诉的通知$",
    K.APPEAL_REPLY: r"^关于.+同志申诉的复查答复$",
    K.TRANSFER_CHASER: r"^关于催退党员组织关系介绍信回执的函$",
    K.DOSSIER: r"^.+同志失联处置案卷$",
    K.HANDOVER_RECORD: r"^党员管理台账交接记录$",
    OUTGOING_LETTER: r"^致.+同志的一封信$",
}
FORMS = {
    K.REGISTER_FORM,
    K.TALK_RECORD,
    K.APPROVAL_FORM,
    K.RESTORATION_FORM,
    K.DELIVERY_RECEIPT,
    K.DOSSIER,
    K.HANDOVER_RECORD,
}


def test_real_cases_issue_every_kind(real_documents):
    assert sorted(real_documents) == sorted(ALL_SAMPLES)
    assert len(real_documents) >= 22
    assert real_documents[OUTGOING_LETTER].kind == K.MEMBER_LETTER
    assert "outgoing" not in real_documents[K.MEMBER_LETTER].context  # the lost-contact letter


@pytest.mark.parametrize("kind", ALL_SAMPLES)
def test_the_printed_title_agrees_with_the_kind(real_documents, kind):
    issued = real_documents[kind]
    printed = pdfcheck.title(issued.path)
    assert printed == issued.context["title"]
    assert re.match(TITLES[kind], printed), printed


@pytest.mark.parametrize("kind", ALL_SAMPLES)
def test_no_fact_is_left_as_a_hole(real_documents, kind):
    assert pdfcheck.holes(real_documents[kind].path) == []


@pytest.mark.parametrize("kind", ALL_SAMPLES)
def test_a_red_header_is_the_header_of_the_organ_that_signs(real_documents, kind):
    issued = real_documents[kind]
    header = pdfcheck.red_header(issued.path)
    signature = pdfcheck.signature(issued.path)
    if header:
        assert signature is not None
        assert header.removesuffix("文件") == signature.organ == issued.context["signature"]
    if issued.context["format"] == Layout.PLAIN:
        assert header == ""


@pytest.mark.parametrize("kind", sorted(set(ALL_SAMPLES) - FORMS))
def test_the_signature_and_date_never_stand_alone_on_a_page(real_documents, kind):
    signature = pdfcheck.signature(real_documents[kind].path)
    assert signature is not None
    assert signature.body_lines_above >= 2, signature


@pytest.mark.parametrize("kind", sorted(FORMS))
def test_forms_and_records_carry_no_document_number(real_documents, kind):
    issued = real_documents[kind]
    assert issued.number == ""
    head = pdfcheck.text(issued.path).split(issued.context["title"])[1][:40]
    assert "〔" not in head, head  # (a receipt or a form may cite another document's number)


@pytest.mark.parametrize(
    ("kind", "suffix"),
    [
        (K.INQUIRY_LETTER, "函"),
        (K.REMINDER_LETTER, "函"),
        (K.PRE_REVIEW_OPINION, "函"),
        (K.APPEAL_ACKNOWLEDGEMENT, "函"),
        (K.REPLY, "复"),
        (K.DECISION_SUSPENSION, "发"),
        (K.DECISION_RESTORATION, "发"),
    ],
)
def test_numbers_use_the_series_offices_use(real_documents, kind, suffix):
    issued = real_documents[kind]
    assert re.fullmatch(rf"\D+{suffix}〔20\d\d〕[1-9]\d*号", issued.number), issued.number
    assert issued.number in pdfcheck.text(issued.path)


def test_file_format_documents_end_with_the_colophon_on_their_last_page(real_documents):
    for kind, issued in real_documents.items():
        if issued.context["format"] != Layout.FILE:
            continue
        pages, words = pdfcheck.words(issued.path)
        last = [w.text for w in words if w.page == len(pages)]
        assert any(t.endswith("印发") for t in last), kind
        if kind == K.DECISION_RESTORATION:
            assert "抄送：中共福州市委教育工委。" in pdfcheck.text(issued.path)
        elif spec_for(kind).series in ("decision", "reply"):
            assert "抄送：中共福州市委组织部。" in pdfcheck.text(issued.path), kind


def test_the_request_going_up_names_who_signed_it_off(real_documents):
    issued = real_documents[K.REQUEST]
    assert issued.context["signer"]
    assert f"签发人：{issued.context['signer']}" in pdfcheck.text(issued.path)
    signature = pdfcheck.signature(issued.path)
    assert signature is not None and signature.organ == "福州第一中学第一党支部"


def test_no_document_claims_continuous_party_standing_without_a_source(real_documents):
    for issued in real_documents.values():
        assert "党龄连续计算" not in pdfcheck.text(issued.path)


@pytest.mark.parametrize("kind", ALL_SAMPLES)
def test_every_font_is_embedded(real_documents, kind):
    fonts = pdfcheck.fonts(real_documents[kind].path)
    assert fonts
    assert all(emb == "yes" for _, emb in fonts), fonts


def test_rare_characters_fall_back_to_noto_cjk(real_documents):
    path = real_documents[K.INQUIRY_LETTER].path
    assert "王䶮" in pdfcheck.text(path)
    names = " ".join(name for name, _ in pdfcheck.fonts(path))
    for role in ("GW-FangSong", "GW-Song-Bold", "GW-Hei", "GW-Kai"):
        assert role in names
    assert "Noto" in names


@pytest.mark.parametrize("kind", ALL_SAMPLES)
def test_every_page_is_a4(real_documents, kind):
    for page in PdfReader(real_documents[kind].path).pages:
        assert float(page.mediabox.width) == pytest.approx(pdfcheck.A4[0], abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(pdfcheck.A4[1], abs=0.5)


@pytest.mark.parametrize("kind", ALL_SAMPLES)
def test_text_stays_inside_the_type_area(real_documents, kind):
    issued = real_documents[kind]
    top = 30 if issued.context["format"] == Layout.LETTER else 37
    assert pdfcheck.outside_type_area(issued.path, first_page_top_mm=top) == []


@pytest.mark.parametrize("kind", ALL_SAMPLES)
def test_qpdf_check_passes(real_documents, kind):
    result = pdfcheck.qpdf_check(real_documents[kind].path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_issued_documents_declare_pdf_a_2b(real_documents):
    meta = PdfReader(real_documents[K.DECISION_REMOVAL].path).xmp_metadata
    assert meta is not None
    xml = meta.stream.get_data().decode()
    assert "<pdfaid:part>2</pdfaid:part>" in xml or 'pdfaid:part="2"' in xml
    assert "B" in xml.split("conformance")[1][:8]


def test_page_numbers_alternate_right_and_left(real_documents):
    _, words = pdfcheck.words(real_documents[K.DOSSIER].path)
    folios = [w for w in words if w.text.isdigit() and w.y0 > (297 - 35) * pdfcheck.MM]
    assert [w.text for w in folios][:2] == ["1", "2"]
    odd, even = folios[0], folios[1]
    assert odd.x0 > 105 * pdfcheck.MM  # right half
    assert even.x1 < 105 * pdfcheck.MM  # left half


def test_letter_format_shows_no_page_number_on_its_first_page(real_documents):
    _, words = pdfcheck.words(real_documents[K.INQUIRY_LETTER].path)
    folio_pages = {w.page for w in words if w.text.isdigit() and w.y0 > (297 - 35) * pdfcheck.MM}
    assert 1 not in folio_pages
    assert 2 in folio_pages


def test_a_draft_preview_has_a_watermark_and_no_number(real_documents):
    issued = real_documents[K.DECISION_REMOVAL]
    from casework.models import Organisation

    pdf = render_pdf(
        kind=K.DECISION_REMOVAL,
        issuer=issuer_of(Organisation(name="x", issuer_name="中共福州市委教育工委")),
        context=issued.context,
        draft=True,
    )
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    assert "草" in text and "稿" in text
    assert "〔" not in text
