"""The kinds of formal document, their layout format and their number series.

A numbered document reads `<issuer doc_code><series suffix>〔<year>〕<serial>号`, e.g.
榕委组函〔2026〕12号. Offices number by series, not by subject: every letter (函) of an organ
shares one series, requests (请) another, replies (复) another, decisions (发, or the organ's
own suffix: documents.models.IssuerProfile) another; serials are counted per issuing organ
code + series + year, gap-free. Forms and records (登记表, 谈话记录, 审批表, 告知书, 决议,
送达回证, 案卷, 台账交接记录 …) carry no 发文字号.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    REGISTER_FORM = "register_form", _("失联党员登记表")
    MEMBER_LETTER = "member_letter", _("致党员的信")
    TALK_RECORD = "talk_record", _("谈话记录")
    INQUIRY_LETTER = "inquiry_letter", _("协助查找函")
    REMINDER_LETTER = "reminder_letter", _("催办函")
    PUBLIC_NOTICE = "public_notice", _("公告")
    APPROVAL_FORM = "approval_form", _("处置审批表")
    PRE_REVIEW_OPINION = "pre_review_opinion", _("预审意见")
    DEFENCE_NOTICE = "defence_notice", _("处置告知书")
    DELIVERY_RECEIPT = "delivery_receipt", _("送达回证")
    MEETING_RESOLUTION = "meeting_resolution", _("支部大会决议")
    REQUEST = "request", _("请示")
    FILING_REPORT = "filing_report", _("备案报告")
    REPLY = "reply", _("批复")
    DECISION_CORRECTION = "decision_correction", _("限期改正决定")
    DECISION_PERSUASION = "decision_persuasion", _("劝退决定")
    DECISION_REMOVAL = "decision_removal", _("除名决定")
    DECISION_REMOVAL_AFTER_PERSUASION = "decision_removal_persuaded", _("劝而不退除名决定")
    DECISION_SUSPENSION = "decision_suspension", _("停止党籍决定")
    DECISION_ANNUL_PROBATION = "decision_annul_probation", _("取消预备党员资格决定")
    DECISION_RESTORATION = "decision_restoration", _("恢复党籍决定")
    CORRECTION_REVIEW = "correction_review", _("限期改正考察意见")
    RESTORATION_FORM = "restoration_form", _("恢复党籍申请审批表")
    APPEAL_ACKNOWLEDGEMENT = "appeal_acknowledgement", _("申诉受理通知")
    APPEAL_REPLY = "appeal_reply", _("申诉复查答复")
    TRANSFER_CHASER = "transfer_chaser", _("组织关系回执催办函")
    DOSSIER = "dossier", _("案卷")
    HANDOVER_RECORD = "handover_record", _("台账交接记录")


class Layout(models.TextChoices):
    LETTER = "letter", "信函格式"  # red mark 30 mm from the top, red double rules
    FILE = "file", "文件格式"  # red mark "…文件" in the type area, number centred, red rule
    PLAIN = "plain", "普通格式"  # no red header (forms, records, branch documents)


class Series(models.TextChoices):
    """Number series of an organ; the printed suffix comes from the organ's profile."""

    LETTER = "letter", "函"
    REQUEST = "request", "请"
    REPORT = "report", "报"
    REPLY = "reply", "复"
    DECISION = "decision", "发"


@dataclass(frozen=True)
class KindSpec:
    layout: str  # the format when the issuing organ has a red mark (发文机关标志)
    series: str  # "" for documents that carry no 发文字号
    template: str
    # True: numbered only when the issuing organ has a 机关代字 (a branch's request or
    # report goes up unnumbered); False: a numbered kind needs one.
    number_optional: bool = False


def _spec(layout: str, series: str, kind: DocumentKind, optional: bool = False) -> KindSpec:
    return KindSpec(
        layout=layout,
        series=series,
        template=f"documents/kinds/{kind.value}.html",
        number_optional=optional,
    )


K = DocumentKind
L, F, P = Layout.LETTER, Layout.FILE, Layout.PLAIN
SPECS: dict[str, KindSpec] = {
    K.REGISTER_FORM: _spec(P, "", K.REGISTER_FORM),
    K.MEMBER_LETTER: _spec(P, "", K.MEMBER_LETTER),
    K.TALK_RECORD: _spec(P, "", K.TALK_RECORD),
    K.INQUIRY_LETTER: _spec(L, Series.LETTER, K.INQUIRY_LETTER),
    K.REMINDER_LETTER: _spec(L, Series.LETTER, K.REMINDER_LETTER),
    K.PUBLIC_NOTICE: _spec(P, "", K.PUBLIC_NOTICE),
    K.APPROVAL_FORM: _spec(P, "", K.APPROVAL_FORM),
    K.PRE_REVIEW_OPINION: _spec(L, Series.LETTER, K.PRE_REVIEW_OPINION),
    K.DEFENCE_NOTICE: _spec(P, "", K.DEFENCE_NOTICE),
    K.DELIVERY_RECEIPT: _spec(P, "", K.DELIVERY_RECEIPT),
    K.MEETING_RESOLUTION: _spec(P, "", K.MEETING_RESOLUTION),
    K.REQUEST: _spec(F, Series.REQUEST, K.REQUEST, optional=True),
    K.FILING_REPORT: _spec(F, Series.REPORT, K.FILING_REPORT, optional=True),
    K.REPLY: _spec(F, Series.REPLY, K.REPLY),
    K.DECISION_CORRECTION: _spec(F, Series.DECISION, K.DECISION_CORRECTION),
    K.DECISION_PERSUASION: _spec(F, Series.DECISION, K.DECISION_PERSUASION),
    K.DECISION_REMOVAL: _spec(F, Series.DECISION, K.DECISION_REMOVAL),
    K.DECISION_REMOVAL_AFTER_PERSUASION: _spec(
        F, Series.DECISION, K.DECISION_REMOVAL_AFTER_PERSUASION
    ),
    K.DECISION_SUSPENSION: _spec(F, Series.DECISION, K.DECISION_SUSPENSION),
    K.DECISION_ANNUL_PROBATION: _spec(F, Series.DECISION, K.DECISION_ANNUL_PROBATION),
    K.DECISION_RESTORATION: _spec(F, Series.DECISION, K.DECISION_RESTORATION),
    K.CORRECTION_REVIEW: _spec(P, "", K.CORRECTION_REVIEW),
    K.RESTORATION_FORM: _spec(P, "", K.RESTORATION_FORM),
    K.APPEAL_ACKNOWLEDGEMENT: _spec(L, Series.LETTER, K.APPEAL_ACKNOWLEDGEMENT),
    K.APPEAL_REPLY: _spec(L, Series.LETTER, K.APPEAL_REPLY),
    K.TRANSFER_CHASER: _spec(L, Series.LETTER, K.TRANSFER_CHASER, optional=True),
    K.DOSSIER: _spec(P, "", K.DOSSIER),
    K.HANDOVER_RECORD: _spec(P, "", K.HANDOVER_RECORD),
}


def spec_for(kind: str) -> KindSpec:
    return SPECS[DocumentKind(kind)]


def format_number(*, doc_code: str, suffix: str, year: int, serial: int) -> str:
    """代字〔YYYY〕N号: full year, no leading zeros, no 第."""
    return f"{doc_code}{suffix}〔{year}〕{serial}号"
