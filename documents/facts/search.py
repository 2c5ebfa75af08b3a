"""Facts of the search: the register form, the letter to the member, the talk record, the public
notice, and the organisation department's letters to government departments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from casework.models import (
    ContactOutcome,
    Department,
    DepartmentKind,
    Inquiry,
    InquiryAnswer,
    InquiryStatus,
    MembershipType,
    RelationTransfer,
    TimelineEntry,
)
from casework.policy import rules_of_case
from documents.facts.legal import CONSTITUTION, regulation
from documents.facts.records import (
    CaseRecords,
    cn_date,
    iso_cn_date,
    member_facts,
    need,
    user_name,
)
from documents.models import Document
from documents.organs import disposing_organisation, organ_name

# What each kind of department looks the members up in (measure 6).
SYSTEMS = {
    DepartmentKind.PUBLIC_SECURITY: ("户籍管理信息系统", "现户籍地址、经常居住地及有效联系方式"),
    DepartmentKind.SOCIAL_INSURANCE: ("社会保险信息系统", "社会保险参保单位、参保地及缴费情况"),
    DepartmentKind.MEDICAL_INSURANCE: ("医疗保障信息系统", "医疗保险参保地及就医结算情况"),
    DepartmentKind.HEALTH: ("卫生健康信息系统", "就诊记录中的现住址及联系方式"),
    DepartmentKind.EDUCATION: ("学籍管理信息系统", "学籍、毕业去向及就业单位"),
    DepartmentKind.CIVIL_AFFAIRS: ("社会救助信息系统", "低保等社会救助登记的住址及联系方式"),
    DepartmentKind.HOUSING: ("不动产登记信息系统", "房产登记及住址信息"),
    DepartmentKind.MARKET_REGULATION: ("市场主体登记信息系统", "经营主体登记及经营地址"),
    DepartmentKind.TAX: ("税收征管信息系统", "纳税登记及任职受雇单位"),
}


def contact_measures(r: CaseRecords) -> list[dict[str, str]]:
    return [
        {
            "date": cn_date(a.at),
            "channel": a.get_channel_display(),
            "outcome": a.get_outcome_display(),
        }
        for a in r.attempts
    ]


def search_summary(r: CaseRecords) -> str:
    """What the party organisation did to find the member, from the records: "党组织先后通过
    电话、亲属、上门走访等方式联系查找3次，并商请……协助查找，均未查到其下落" (or "" when
    nothing was done yet)."""
    attempts = [a for a in r.attempts if a.outcome != ContactOutcome.REACHED]
    parts = []
    if attempts:
        channels = list(dict.fromkeys(a.get_channel_display() for a in attempts))
        parts.append(f"党组织先后通过{'、'.join(channels)}等方式联系查找{len(attempts)}次")
    asked = [i for i in r.inquiries if i.status != InquiryStatus.DRAFT]
    if asked:
        names = "、".join(i.department.name for i in asked)
        found = [i for i in asked if i.answer == InquiryAnswer.FOUND]
        clue = [i for i in asked if i.answer == InquiryAnswer.CLUE]
        if found:
            outcome = f"{found[0].department.name}查到其下落"
        elif clue:
            outcome = "所获线索经核查无果"
        else:
            outcome = "均未查到其下落"
        parts.append(f"并商请{names}协助查找，{outcome}")
    return "，".join(parts)


def situation(r: CaseRecords) -> str:
    """The search and, when contact was regained, the talk: one sentence or two."""
    text = search_summary(r)
    sentences = [text + "。"] if text else []
    if r.talk is not None:
        talk = r.talk
        sentences.append(
            f"{cn_date(talk.held_on)}，党支部与该同志取得联系，"
            f"由{talk.talker1.name}、{talk.talker2.name}与其谈话。"
        )
    return "".join(sentences)


def register_form(r: CaseRecords) -> dict[str, Any]:
    case, member = r.case, r.member
    evidence = case.evidence or {}
    signals = []
    if member.last_org_life_date:
        signals.append(f"最近一次参加组织生活为{cn_date(member.last_org_life_date)}")
    if member.dues_paid_until:
        signals.append(f"党费交至{cn_date(member.dues_paid_until)}")
    lost_after = evidence.get("lost_after_months") or r.rules.lost_after_months
    opened_by = (
        f"系统失联检测（连续{lost_after}个月无联系）自动登记"
        if case.opened_by_id is None
        else f"由{user_name(case.opened_by)}登记"
    )
    return {
        "title": "失联党员登记表",
        "member": member_facts(member),
        "circumstance": r.circumstance,
        "situation": "，".join(signals) + "。" if signals else "党员信息中无组织生活和党费记录。",
        "measures": contact_measures(r),
        "opened_by": opened_by,
    }


def member_letter(r: CaseRecords, *, reply_by: dt.date) -> dict[str, Any]:
    member = r.member
    profile = getattr(r.case.organisation, "issuer_profile", None)
    return {
        "title": f"致{member.name}同志的一封信",
        "member": member_facts(member),
        "last_contact": need(cn_date(member.last_contact_date), "最后联系日期", "致党员的信"),
        "reply_by": cn_date(reply_by),
        "contact_person": need(profile and profile.contact_person, "党支部联系人", "致党员的信"),
        "contact_phone": need(profile and profile.contact_phone, "党支部联系电话", "致党员的信"),
    }


def talk_record(r: CaseRecords) -> dict[str, Any]:
    talk = need(r.talk, "谈话记录", "谈话记录")
    return {
        "title": "谈话记录",
        "member": member_facts(r.member),
        "talk": {
            "date": cn_date(talk.held_on),
            "place": need(talk.place, "谈话地点", "谈话记录"),
            "talkers": [talk.talker1.name, talk.talker2.name],
            "recorder": need(talk.recorder, "记录人", "谈话记录").name,
            "content": [line for line in talk.content.splitlines() if line.strip()],
        },
    }


def public_notice(r: CaseRecords, *, period_days: int) -> dict[str, Any]:
    member = r.member
    branch = r.case.organisation
    profile = getattr(branch, "issuer_profile", None)
    label = "公告"
    organ = organ_name(disposing_organisation(r.case, "suspend"))
    return {
        "title": f"{organ}关于督促{member.name}同志与党组织取得联系的公告",
        "member": member_facts(member, audience="public"),
        "last_contact": need(cn_date(member.last_contact_date), "最后联系日期", label),
        "search": need(search_summary(r), "联系查找经过", label),
        "period_days": period_days,
        "branch": branch.name,
        "contact_person": need(profile and profile.contact_person, "党支部联系人", label),
        "contact_phone": need(profile and profile.contact_phone, "党支部联系电话", label),
        "basis": f"《{CONSTITUTION}》和《{regulation(r.rules, 'suspend')}》",
        "measure": "取消其预备党员资格"
        if member.membership_type == MembershipType.PROBATIONARY
        else "对其作出停止党籍处置",
    }


# ---- letters of the organisation department (not tied to one case) ------------------------


def _department_rows(inquiries: Sequence[Inquiry]) -> list[dict[str, str]]:
    rows = []
    for inquiry in inquiries:
        member = inquiry.case.member
        row = member_facts(member, audience="department")
        rows.append(row)
    return rows


def _citation(inquiries: Sequence[Inquiry]) -> str:
    """Looking for a lost member is a lost-contact measure of each case's rule set."""
    titles = list(dict.fromkeys(regulation(rules_of_case(i.case), "suspend") for i in inquiries))
    return "和".join(f"《{t}》" for t in [CONSTITUTION, *titles])


LIST_HEADER = ["序号", "姓名", "性别", "出生年月", "公民身份号码", "原工作单位", "最后联系时间"]
LIST_WIDTHS = ["7%", "9%", "7%", "13%", "24%", "22%", "18%"]


def member_list(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The attached list of the members a letter concerns (附件: 失联党员名单)."""
    return [
        {
            "name": "失联党员名单",
            "header": LIST_HEADER,
            "widths": LIST_WIDTHS,
            "rows": [
                [
                    str(n),
                    m["name"],
                    m["gender"],
                    m["birth_date"],
                    m["id_number"],
                    m["employer"],
                    m["last_contact_date"],
                ]
                for n, m in enumerate(rows, 1)
            ],
        }
    ]


def inquiry_letter(
    *, department: Department, inquiries: Sequence[Inquiry], items: Sequence[str], header: str
) -> dict[str, Any]:
    label = "协助查找函"
    need(list(inquiries), "协查党员", label)
    system, default_items = SYSTEMS.get(DepartmentKind(department.kind), ("业务信息系统", ""))
    due = max((i.due_date for i in inquiries if i.due_date), default=None)
    lost_after = max(rules_of_case(i.case).lost_after_months for i in inquiries)
    # Letters are numbered when signed, before they are sent: the deadline then runs from
    # receipt (the department's answer days), as the inquiry records it when sent.
    due_date = cn_date(due) or f"收函后{department.answer_days}个工作日内"
    rows = _department_rows(inquiries)
    return {
        "title": f"{header}关于协助查找失联党员的函",
        "department": department.name,
        "members": rows,
        "attachments": member_list(rows),
        "lost_after_months": lost_after,
        "system": system,
        "items": "、".join(items) if items else need(default_items, "协查事项", label),
        "due_date": due_date,
        "due_phrase": f"于{cn_date(due)}前" if due else f"在{due_date}",
        "basis": _citation(inquiries),
        "inquiries": [i.pk for i in inquiries],
    }


def reminder_letter(
    *,
    department: Department,
    inquiries: Sequence[Inquiry],
    original: Document | None,
    header: str,
) -> dict[str, Any]:
    label = "催办函"
    original = need(original, "原协助查找函", label)
    context = original.context
    due = max((i.due_date for i in inquiries if i.due_date), default=None)
    sent_due = [
        e.details.get("due")
        for e in TimelineEntry.objects.filter(
            action="inquiry.send", details__inquiry__in=[i.pk for i in inquiries]
        ).order_by("at", "id")
    ]
    original_due = max((d for d in sent_due if d), default="")
    rows = _department_rows(inquiries)
    return {
        "title": f"{header}关于催办协助查找失联党员事项的函",
        "department": department.name,
        "members": rows,
        "attachments": member_list(rows),
        "original_title": need(context.get("title"), "原函标题", label),
        "original_number": need(original.number, "原函发文字号", label),
        "original_date": cn_date(original.issued_on),
        "original_due_date": need(
            iso_cn_date(original_due) or context.get("due_date"), "原函答复期限", label
        ),
        "due_date": need(cn_date(due), "答复期限", label),
        "inquiries": [i.pk for i in inquiries],
    }


def transfer_chaser(*, transfer: RelationTransfer, reply_by: dt.date) -> dict[str, Any]:
    member = transfer.member
    return {
        "title": "关于催退党员组织关系介绍信回执的函",
        "member": member_facts(member),
        "addressee_name": transfer.to_name,
        "letter_number": need(transfer.serial, "介绍信编号", "组织关系回执催办函"),
        "sent_date": cn_date(transfer.issued_on),
        "valid_until": cn_date(transfer.valid_until),
        "reply_by": cn_date(reply_by),
    }
