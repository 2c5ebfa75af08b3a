"""Facts of decisions and what follows them: the decisions, the correction review record,
the delivery receipt, the appeal letters and the case dossier."""

from __future__ import annotations

import datetime as dt
from typing import Any

from casework.models import CaseTrack, Cause, Ground, ProposalKind, ReviewLevel
from casework.selectors.case_page import ACTION_LABELS
from documents.facts.legal import (
    RIGHTS,
    basis,
    constitution_article,
    regulation,
    rejoin_bar,
    suspension_limit_years,
)
from documents.facts.proposal import (
    defence,
    grounds,
    meeting,
    reasons,
    review_of,
    subject,
)
from documents.facts.records import (
    CaseRecords,
    cn_date,
    iso_cn_date,
    member_facts,
    need,
    person_line,
    sentence,
    user_name,
)
from documents.facts.search import search_summary
from documents.facts.tracks import SELF_WITHDRAWAL_BASIS, track_facts, track_of
from documents.kinds import DocumentKind as K
from documents.models import Document
from documents.organs import disposing_organisation, organ_name
from documents.templating import MissingFact

P = ProposalKind
DECISION_OF = {
    P.CORRECTION: K.DECISION_CORRECTION,
    P.PERSUADE: K.DECISION_PERSUASION,
    P.REMOVE: K.DECISION_REMOVAL,
    P.SUSPEND: K.DECISION_SUSPENSION,
    P.ANNUL_PROBATION: K.DECISION_ANNUL_PROBATION,
    P.RESTORE: K.DECISION_RESTORATION,
}


def lost_since(r: CaseRecords) -> str:
    """该同志自…起与党组织失去联系 — or, when the register has no date of last contact, the
    date the case registered the member as lost (a fact the records do hold)."""
    since = cn_date(r.member.last_contact_date)
    if since:
        return f"该同志自{since}起与党组织失去联系。"
    return f"该同志与党组织失去联系，于{cn_date(r.case.opened_at)}被登记为失联党员。"


def _lost_contact(r: CaseRecords, label: str) -> str:
    """该同志自…起与党组织失去联系。党组织先后通过…，至今仍无法取得联系。"""
    search = need(search_summary(r), "联系查找经过", label)
    return f"{lost_since(r)}{search}，至今仍无法取得联系。"


def _misconduct(r: CaseRecords, label: str) -> str:
    found = grounds(r)
    lead = f"经查，该同志存在{found}的情形。" if found else "经查，"
    return lead + reasons(r, label)


def _procedure(r: CaseRecords, label: str) -> dict[str, Any]:
    committee = review_of(r, ReviewLevel.COMMITTEE)
    department = review_of(r, ReviewLevel.DEPARTMENT)
    return {
        "defence": defence(r, label),
        "meeting": meeting(r, label),
        "committee_review_on": committee["date"] if committee else "",
        "department_review_on": department["date"] if department else "",
    }


def decision(r: CaseRecords) -> dict[str, Any]:
    """Any decision after the committee's approval (the kind follows the proposal)."""
    proposal = need(r.proposal, "处置提议", "处置决定")
    kind = proposal.kind
    doc_kind = DECISION_OF[ProposalKind(kind)]
    label = str(K(doc_kind).label)
    approved = need(r.decision, "审批决定", label)
    name = r.member.name
    facts: dict[str, Any] = {
        "title": f"关于{subject(kind, name)}的决定",
        "member": member_facts(r.member),
        "person": person_line(r.member),
        "branch": r.case.organisation.name,
        "subject": subject(kind, name),
        "approved_on": cn_date(approved.in_force_at),
        "basis": basis(r.rules, kind, article=constitution_article(kind)),
        "rejoin_bar": rejoin_bar(r.rules, kind),
        "appeal": f"《{RIGHTS}》",
    }
    if kind == P.RESTORE:
        return {**facts, **_restoration(r, label)}
    track = track_of(r)
    lost = Ground.LOST_CONTACT in proposal.grounds or kind == P.SUSPEND
    if track != CaseTrack.LOST_CONTACT:  # 自行脱党 or abroad: the facts the case opened on
        facts["facts"] = track_facts(r, label) + reasons(r, label)
        facts["track"] = track
    else:
        facts["facts"] = _lost_contact(r, label) if lost else _misconduct(r, label)
    if track == CaseTrack.SELF_WITHDRAWAL and kind == P.REMOVE:
        facts["basis"] = SELF_WITHDRAWAL_BASIS
    facts.update(_procedure(r, label))
    if kind == P.CORRECTION:
        # the period runs from service (自本决定送达之日起): no end date is known yet
        facts["correction"] = {"months": need(proposal.correction_months, "改正期限", label)}
    if kind == P.SUSPEND and track == CaseTrack.ABROAD:
        facts["suspension"] = {"start": cn_date(approved.in_force_at), "abroad": "yes"}
    elif kind == P.SUSPEND:
        facts["suspension"] = {
            "limit": suspension_limit_years(r.rules),
            "start": cn_date(approved.in_force_at),
            "due": need(cn_date(approved.clock_due), "停止党籍期满日", label),
        }
    return facts


def _restoration(r: CaseRecords, label: str) -> dict[str, Any]:
    suspension = need(r.decision_of_kind(P.SUSPEND), "停止党籍决定", label)
    application = need(r.last_entry("case.apply_for_restoration"), "恢复党籍申请", label)
    committee = need(review_of(r, ReviewLevel.COMMITTEE), "审批党委预审记录", label)
    return {
        "suspended_on": cn_date(suspension.in_force_at),
        "applied_on": need(iso_cn_date(application.details.get("applied_on")), "申请日期", label),
        "assessment": sentence(
            need(r.proposal.reasons.strip() if r.proposal else "", "党支部考察意见", label)
        ),
        "committee": organ_name(disposing_organisation(r.case, None)),
        "committee_review_on": committee["date"],
    }


def decision_removal_after_persuasion(
    r: CaseRecords, *, refused_on: dt.date, meeting_facts: dict[str, Any]
) -> dict[str, Any]:
    """劝而不退 → 除名: the persuasion decision in force, the member's refusal, the branch
    meeting that removed them (the route is not in the flow yet: its step passes the meeting)."""
    label = str(K.DECISION_REMOVAL_AFTER_PERSUASION.label)
    persuasion = need(r.decision_of_kind(P.PERSUADE), "劝退决定", label)
    persuasion_doc = need(r.last_document(K.DECISION_PERSUASION), "劝退决定文书", label)
    name = r.member.name
    for key in ("date", "place", "entitled", "present", "votes_for", "votes_against"):
        need(meeting_facts.get(key), f"支部大会{key}", label)
    return {
        "title": f"关于给予{name}同志除名处置的决定",
        "member": member_facts(r.member),
        "person": person_line(r.member),
        "branch": r.case.organisation.name,
        "persuaded_on": cn_date(persuasion.in_force_at),
        "persuasion_title": persuasion_doc.context.get("title", ""),
        "persuasion_number": persuasion_doc.number or "",
        "refused_on": cn_date(refused_on),
        "meeting": meeting_facts,
        "regulation": regulation(r.rules, P.REMOVE),
        "rejoin_bar": rejoin_bar(r.rules, P.REMOVE),
        "appeal": f"《{RIGHTS}》",
    }


def correction_review(r: CaseRecords) -> dict[str, Any]:
    label = "限期改正考察意见"
    entry = need(r.last_entry("case.review_correction"), "期满考察记录", label)
    approved = need(r.decision_of_kind(P.CORRECTION), "限期改正决定", label)
    decision_doc = r.last_document(K.DECISION_CORRECTION)
    return {
        "title": f"关于{r.member.name}同志限期改正期满的考察意见",
        "member": member_facts(r.member),
        "approved_on": cn_date(approved.in_force_at),
        "decision_title": decision_doc.context.get("title", "") if decision_doc else "",
        "decision_number": decision_doc.number or "" if decision_doc else "",
        "due": need(cn_date(approved.clock_due), "改正期满日", label),
        "reviewed_on": cn_date(entry.at),
        "notes": sentence(need(entry.comment.strip(), "考察情况", label)),
        "corrected": "yes" if entry.details.get("corrected") else "",
        "committee": organ_name(disposing_organisation(r.case, P.CORRECTION)),
    }


def delivery_receipt(r: CaseRecords, *, served: Document) -> dict[str, Any]:
    return {
        "title": "送达回证",
        "member": member_facts(r.member),
        "served_title": need(served.context.get("title"), "送达文书标题", "送达回证"),
        "served_number": served.number or "",
        "served_issuer": served.context.get("signature", ""),
        "served_on_issue": cn_date(served.issued_on),
    }


def _decision_document(r: CaseRecords, label: str) -> Document:
    for document in reversed(r.documents):
        if document.kind in DECISION_OF.values():
            return document
    raise MissingFact("处置决定文书", kind=label)


def appeal_acknowledgement(r: CaseRecords, *, received_on: dt.date) -> dict[str, Any]:
    label = str(K.APPEAL_ACKNOWLEDGEMENT.label)
    document = _decision_document(r, label)
    return {
        "title": f"关于受理{r.member.name}同志申诉的通知",
        "member": member_facts(r.member),
        "received_on": cn_date(received_on),
        "decision_title": need(document.context.get("title"), "原决定标题", label),
        "decision_number": document.number or "",
        "decision_issuer": document.context.get("signature", ""),
        "rights": f"《{RIGHTS}》",
    }


def appeal_reply(
    r: CaseRecords, *, received_on: dt.date, upheld: bool, findings: str
) -> dict[str, Any]:
    label = str(K.APPEAL_REPLY.label)
    document = _decision_document(r, label)
    return {
        "title": f"关于{r.member.name}同志申诉的复查答复",
        "member": member_facts(r.member),
        "received_on": cn_date(received_on),
        "decision_title": need(document.context.get("title"), "原决定标题", label),
        "decision_number": document.number or "",
        "upheld": "yes" if upheld else "",
        "findings": sentence(need(findings.strip(), "复查意见", label)),
    }


# ---- the dossier -----------------------------------------------------------------------------


def _step_label(entry: Any, departments: dict[int, str]) -> str:
    label = str(ACTION_LABELS.get(entry.action, entry.action))
    details = entry.details or {}
    extra = departments.get(details.get("department") or 0, "")
    if entry.action == "case.propose" and details.get("kind") in ProposalKind.values:
        extra = str(ProposalKind(details["kind"]).label)
    elif entry.action == "case.assess_cause" and details.get("cause") in Cause.values:
        extra = str(Cause(details["cause"]).label)
    elif entry.action == "case.pre_review" and details.get("level") in ReviewLevel.values:
        extra = str(ReviewLevel(details["level"]).label)
    elif entry.action == "case.approve" and details.get("kind") in ProposalKind.values:
        return f"审批同意（{ProposalKind(details['kind']).label}）"
    elif entry.action == "case.record_meeting":
        extra = "通过" if details.get("passed") else "未通过"
    elif entry.action == "case.review_correction":
        extra = "已改正" if details.get("corrected") else "未改正"
    return f"{label}（{extra}）" if extra else label


_DOSSIER_OF: dict[str, str] = {
    CaseTrack.SELF_WITHDRAWAL: "自行脱党处置",
    CaseTrack.ABROAD: "出国（境）停止党籍",
}


def dossier(r: CaseRecords) -> dict[str, Any]:
    case = r.case
    outcome = case.outcome or (r.decision.kind if r.decision else "")
    outcome_label = {
        "corrected": "限期改正后已改正",
        "withdrawn": "案件撤销",
        "refused": "审批机关不予批准",
    }.get(outcome) or (str(ProposalKind(outcome).label) if outcome in ProposalKind.values else "")
    departments = {i.department_id: i.department.name for i in r.inquiries}
    return {
        "title": f"{r.member.name}同志{_DOSSIER_OF.get(track_of(r), '失联处置')}案卷",
        "member": member_facts(r.member),
        "case": {
            "opened": cn_date(case.opened_at),
            "closed": cn_date(case.closed_at) or "未结案",
            "circumstance": r.circumstance,
            "rule_set": f"《{r.rules.title}》",
            "outcome": outcome_label or "办理中",
        },
        "documents": [
            {
                "title": d.context.get("title", str(K(d.kind).label)),
                "number": d.number or "无",
                "date": cn_date(d.issued_on),
            }
            for d in r.documents
            if d.kind != K.DOSSIER
        ],
        "timeline": [
            {
                "date": cn_date(entry.at),
                "step": _step_label(entry, departments),
                "by": user_name(entry.actor) or "系统",
                "comment": entry.comment.strip(),
            }
            for entry in r.timeline
        ],
    }
