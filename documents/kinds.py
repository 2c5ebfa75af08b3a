"""The kinds of formal document, their layout format and their 代字 suffix.

A document number reads `<issuer doc_code><suffix>〔<year>〕<serial>号`,
e.g. 榕教工委函〔2026〕12号.
Numbers are counted per issuing organisation + kind + year, so every kind has its own suffix
and two kinds never print the same number.
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
    APPROVAL_FORM = "approval_form", _("处置审批表")
    DEFENCE_NOTICE = "defence_notice", _("处置告知及申辩权利告知书")
    MEETING_RESOLUTION = "meeting_resolution", _("支部大会决议")
    REQUEST = "request", _("请示")
    REPLY = "reply", _("批复")
    DECISION_CORRECTION = "decision_correction", _("限期改正决定")
    DECISION_PERSUASION = "decision_persuasion", _("劝退决定")
    DECISION_REMOVAL = "decision_removal", _("除名决定")
    DECISION_SUSPENSION = "decision_suspension", _("停止党籍决定")
    DECISION_RESTORATION = "decision_restoration", _("恢复党籍决定")
    TRANSFER_CHASER = "transfer_chaser", _("组织关系回执催办函")
    DOSSIER = "dossier", _("案卷")
    HANDOVER_RECORD = "handover_record", _("台账交接记录")


class Layout(models.TextChoices):
    LETTER = "letter", "信函格式"  # red mark 30 mm from the top, red double rules
    FILE = "file", "文件格式"  # red mark in the type area, number centred, red rule
    PLAIN = "plain", "普通格式"  # title + number, no red header (forms, records, dossier)


@dataclass(frozen=True)
class KindSpec:
    layout: str
    suffix: str  # 代字 suffix appended to the issuer's doc_code
    template: str


def _spec(layout: str, suffix: str, kind: DocumentKind) -> KindSpec:
    return KindSpec(layout=layout, suffix=suffix, template=f"documents/kinds/{kind.value}.html")


K = DocumentKind
SPECS: dict[str, KindSpec] = {
    K.REGISTER_FORM: _spec(Layout.PLAIN, "登", K.REGISTER_FORM),
    K.MEMBER_LETTER: _spec(Layout.LETTER, "信", K.MEMBER_LETTER),
    K.TALK_RECORD: _spec(Layout.PLAIN, "谈", K.TALK_RECORD),
    K.INQUIRY_LETTER: _spec(Layout.LETTER, "函", K.INQUIRY_LETTER),
    K.REMINDER_LETTER: _spec(Layout.LETTER, "催", K.REMINDER_LETTER),
    K.APPROVAL_FORM: _spec(Layout.PLAIN, "审", K.APPROVAL_FORM),
    K.DEFENCE_NOTICE: _spec(Layout.LETTER, "告", K.DEFENCE_NOTICE),
    K.MEETING_RESOLUTION: _spec(Layout.PLAIN, "议", K.MEETING_RESOLUTION),
    K.REQUEST: _spec(Layout.FILE, "请", K.REQUEST),
    K.REPLY: _spec(Layout.FILE, "复", K.REPLY),
    K.DECISION_CORRECTION: _spec(Layout.FILE, "改", K.DECISION_CORRECTION),
    K.DECISION_PERSUASION: _spec(Layout.FILE, "劝", K.DECISION_PERSUASION),
    K.DECISION_REMOVAL: _spec(Layout.FILE, "除", K.DECISION_REMOVAL),
    K.DECISION_SUSPENSION: _spec(Layout.FILE, "停", K.DECISION_SUSPENSION),
    K.DECISION_RESTORATION: _spec(Layout.FILE, "恢", K.DECISION_RESTORATION),
    K.TRANSFER_CHASER: _spec(Layout.LETTER, "转", K.TRANSFER_CHASER),
    K.DOSSIER: _spec(Layout.PLAIN, "卷", K.DOSSIER),
    K.HANDOVER_RECORD: _spec(Layout.PLAIN, "交", K.HANDOVER_RECORD),
}


def spec_for(kind: str) -> KindSpec:
    return SPECS[DocumentKind(kind)]


def format_number(*, doc_code: str, kind: str, year: int, serial: int) -> str:
    """代字〔YYYY〕N号: full year, no leading zeros, no 第."""
    return f"{doc_code}{spec_for(kind).suffix}〔{year}〕{serial}号"
