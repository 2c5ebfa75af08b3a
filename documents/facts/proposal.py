"""Facts of the decision path up to the committee's reply: the approval form, the
department's pre-review opinion, the notice to the member, the meeting's resolution, the
request (请示) or the filing report (备案报告), and the reply (批复)."""

from __future__ import annotations

from typing import Any

from casework.models import Cause, Ground, ProposalKind, ProposalStatus, ReviewLevel
from documents.facts.legal import basis, constitution_article, regulation
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
from documents.facts.search import search_summary, situation
from documents.facts.tracks import track_facts
from documents.kinds import DocumentKind as K
from documents.organs import disposing_organisation, organ_name

P = ProposalKind


def subject(kind: str | None, name: str) -> str:
    """What a title or a resolution is about: "给予王䶮同志停止党籍处置", "恢复王䶮同志党籍"."""
    return {
        P.CORRECTION: f"给予{name}同志限期改正处置",
        P.PERSUADE: f"给予{name}同志劝退处置",
        P.REMOVE: f"给予{name}同志除名处置",
        P.SUSPEND: f"给予{name}同志停止党籍处置",
        P.ANNUL_PROBATION: f"取消{name}同志预备党员资格",
        P.RESTORE: f"恢复{name}同志党籍",
        P.WITHDRAWAL: f"{name}同志退党",
        P.RETURN_TO_NORMAL: f"{name}同志恢复正常管理",
    }[ProposalKind(need(kind, "处置提议"))]


def proposed_label(r: CaseRecords) -> str:
    proposal = need(r.proposal, "处置提议")
    label = str(ProposalKind(proposal.kind).label)
    if proposal.kind == P.CORRECTION:
        label += f"（改正期限{need(proposal.correction_months, '改正期限')}个月）"
    return label


def grounds(r: CaseRecords) -> str:
    proposal = need(r.proposal, "处置提议")
    labels = [str(Ground(g).label) for g in proposal.grounds if g in Ground.values]
    return "、".join(labels)


def reasons(r: CaseRecords, kind_label: str) -> str:
    proposal = need(r.proposal, "处置提议", kind_label)
    return sentence(need(proposal.reasons.strip(), "处置事实与理由", kind_label))


def defence(r: CaseRecords, kind_label: str) -> dict[str, str]:
    """Whether the member was told and what they said, from the proposal's record."""
    proposal = need(r.proposal, "处置提议", kind_label)
    text = sentence(proposal.defence_text)
    return {
        "notified_on": need(cn_date(proposal.notified_on), "告知日期", kind_label),
        "until": need(cn_date(proposal.defence_until), "申辩期限", kind_label),
        "given": "yes" if text else "",
        "text": text,
    }


def meeting(r: CaseRecords, kind_label: str) -> dict[str, Any]:
    row = need(r.meeting, "支部大会表决记录", kind_label)
    return {
        "date": cn_date(row.held_on),
        "place": need(row.place, "会议地点", kind_label),
        "entitled": row.voting_members,
        "present": row.present,
        "votes_for": row.votes_for,
        "votes_against": row.votes_against,
        "votes_abstain": row.abstentions,
        "passed": "yes" if row.passed else "",
    }


def review_of(r: CaseRecords, level: str) -> dict[str, str] | None:
    for review in r.pre_reviews:
        if review.level == level:
            return {
                "by": user_name(review.reviewer),
                "date": cn_date(review.at),
                "comment": sentence(review.comment),
            }
    return None


def approval_form(r: CaseRecords, *, actor: Any = None) -> dict[str, Any]:
    label = "处置审批表"
    proposal = need(r.proposal, "处置提议", label)
    kind = proposal.kind
    department_review = kind in (P.PERSUADE, P.REMOVE)
    return {
        "title": "党员组织处置审批表",
        "member": member_facts(r.member),
        "circumstance": r.circumstance,
        "situation": situation(r) or "登记后即进入处置程序。",
        # a 自行脱党 or abroad case: its facts instead of a lost-contact circumstance
        "track_situation": track_facts(r, label),
        "grounds": grounds(r) or "—",
        "reasons": reasons(r, label),
        "proposed": proposed_label(r),
        "subject": subject(kind, r.member.name),
        "proposer": need(user_name(proposal.proposed_by), "提议人", label),
        "proposed_on": cn_date(proposal.proposed_at),
        "committee": organ_name(disposing_organisation(r.case, kind)),
        "department_review": "yes" if department_review else "",
    }


def pre_review_opinion(r: CaseRecords) -> dict[str, Any]:
    label = "预审意见"
    review = need(review_of(r, ReviewLevel.DEPARTMENT), "组织部门预审记录", label)
    name = r.member.name
    kind = need(r.proposal_kind, "处置提议", label)
    return {
        "title": f"关于{subject(kind, name)}的预审意见",
        "member": member_facts(r.member),
        "subject": subject(kind, name),
        "proposed": proposed_label(r),
        "grounds": grounds(r),
        "reasons": reasons(r, label),
        "comment": review["comment"],
        "committee_review": review_of(r, ReviewLevel.COMMITTEE) or {},
        "basis": basis(r.rules, kind, article=constitution_article(kind)),
    }


def to_you(r: CaseRecords) -> str:
    """The proposal told to the member: "给予你停止党籍处置", "取消你的预备党员资格"."""
    proposal = need(r.proposal, "处置提议")
    if proposal.kind == P.ANNUL_PROBATION:
        return "取消你的预备党员资格"
    return f"给予你{proposed_label(r)}处置"


def defence_notice(r: CaseRecords) -> dict[str, Any]:
    label = "处置告知书"
    kind = need(r.proposal_kind, "处置提议", label)
    return {
        "title": f"关于拟{subject(kind, r.member.name)}的告知书",
        "to_you": to_you(r),
        "member": member_facts(r.member),
        "proposed": proposed_label(r),
        "grounds": grounds(r),
        "reasons": reasons(r, label),
        "defence": defence(r, label),
        "basis": basis(r.rules, kind, article=constitution_article(kind)),
    }


def meeting_resolution(r: CaseRecords) -> dict[str, Any]:
    label = "支部大会决议"
    kind = need(r.proposal_kind, "处置提议", label)
    facts = meeting(r, label)
    name = r.member.name
    about = subject(kind, name)
    title = f"关于{about}的决议" if facts["passed"] else f"关于{about}提议未获通过的决议"
    return {
        "title": title,
        "branch": r.case.organisation.name,
        "member": member_facts(r.member),
        "subject": about,
        "withdrawal": "yes" if kind == P.WITHDRAWAL else "",
        "reasons": reasons(r, label),
        "defence": {} if kind == P.WITHDRAWAL else defence(r, label),
        "meeting": facts,
        "committee": organ_name(disposing_organisation(r.case, kind)),
    }


def _request_common(r: CaseRecords, label: str) -> dict[str, Any]:
    member = r.member
    return {
        "member": member_facts(member),
        "person": person_line(member),
        "circumstance": r.circumstance,
        "last_contact": cn_date(member.last_contact_date),
        "search": search_summary(r),
    }


def request(r: CaseRecords, *, actor: Any = None) -> dict[str, Any]:
    label = "请示"
    kind = need(r.proposal_kind, "处置提议", label)
    name = r.member.name
    facts = _request_common(r, label)
    facts.update(
        title=f"关于{subject(kind, name)}的请示",
        subject=subject(kind, name),
        signer=need(r.branch_secretary_name(actor), "签发人（党支部书记）", label),
    )
    if kind == P.RETURN_TO_NORMAL:
        talk = need(r.talk, "谈话记录", label)
        facts.update(
            return_to_normal="yes",
            talk={
                "date": cn_date(talk.held_on),
                "talkers": f"{talk.talker1.name}、{talk.talker2.name}",
            },
            cause=str(Cause(need(r.case.cause, "失联原因认定", label)).label),
            notes=sentence(need(r.proposal, "认定意见", label).reasons),
            basis=f"《{regulation(r.rules, kind)}》",
        )
        return facts
    facts.update(
        return_to_normal="",
        grounds=grounds(r),
        reasons=reasons(r, label),
        proposed=proposed_label(r),
        defence=defence(r, label),
        meeting=meeting(r, label),
        basis=basis(r.rules, kind, article=constitution_article(kind)),
    )
    return facts


def filing_report(r: CaseRecords, *, actor: Any = None) -> dict[str, Any]:
    label = "备案报告"
    name = r.member.name
    talk = need(r.talk, "谈话记录", label)
    facts = _request_common(r, label)
    facts.update(
        title=f"关于{name}同志退党除名的备案报告",
        asked_on=cn_date(talk.held_on),
        reasons=reasons(r, label),
        meeting=meeting(r, label),
        signer=need(r.branch_secretary_name(actor), "签发人（党支部书记）", label),
    )
    return facts


def reply(r: CaseRecords) -> dict[str, Any]:
    label = "批复"
    kind = need(r.proposal_kind, "处置提议", label)
    if r.proposal is not None and r.proposal.status == ProposalStatus.REFUSED:
        return _refusal_reply(r, kind, label)
    request_doc = need(r.last_document(K.REQUEST), "请示", label)
    decision = need(r.decision, "审批决定", label)
    name = r.member.name
    return {
        "title": f"关于同意{subject(kind, name)}的批复",
        "member": member_facts(r.member),
        "request_title": need(request_doc.context.get("title"), "请示标题", label),
        "request_number": request_doc.number or "",
        "approved_on": cn_date(decision.in_force_at),
        "subject": subject(kind, name),
        "correction_months": r.proposal.correction_months if r.proposal else None,
        "comment": sentence(decision.approval_comment),
        "decision_follows": "" if kind == P.RETURN_TO_NORMAL else "yes",
        "refused": "",
    }


def _refusal_reply(r: CaseRecords, kind: str, label: str) -> dict[str, Any]:
    """不予批准: the reply names the request (or, for a restoration, the application form)
    and gives the reason; nothing changes for the member."""
    cited = K.RESTORATION_FORM if kind == P.RESTORE else K.REQUEST
    request_doc = need(r.last_document(cited), "请示", label)
    refusal = need(r.last_entry("case.refuse"), "不予批准记录", label)
    name = r.member.name
    then = (refusal.details or {}).get("then")
    return {
        "title": f"关于不同意{subject(kind, name)}的批复",
        "member": member_facts(r.member),
        "request_title": need(request_doc.context.get("title"), "请示标题", label),
        "request_number": request_doc.number or "",
        "approved_on": cn_date(refusal.at),
        "subject": subject(kind, name),
        "refused": "yes",
        "reason": sentence(need(refusal.comment.strip(), "不予批准理由", label)),
        "still_suspended": "yes" if kind == P.RESTORE else "",
        "closed": "yes" if then == "closed" else "",
        "correction_months": None,
        "comment": "",
        "decision_follows": "",
    }


def restoration_form(r: CaseRecords) -> dict[str, Any]:
    label = "恢复党籍申请审批表"
    proposal = need(r.proposal, "恢复党籍提议", label)
    application = need(r.last_entry("case.apply_for_restoration"), "恢复党籍申请", label)
    suspension = need(r.decision_of_kind(P.SUSPEND), "停止党籍决定", label)
    suspension_doc = r.last_document(K.DECISION_SUSPENSION)
    return {
        "title": "恢复党籍申请审批表",
        "member": member_facts(r.member),
        "suspended_on": cn_date(suspension.in_force_at),
        "suspension_number": suspension_doc.number
        if suspension_doc and suspension_doc.number
        else "",
        "applied_on": need(iso_cn_date(application.details.get("applied_on")), "申请日期", label),
        "application": sentence(need(application.comment.strip(), "申请内容", label)),
        "assessment": sentence(need(proposal.reasons.strip(), "党支部考察意见", label)),
        "proposer": need(user_name(proposal.proposed_by), "提议人", label),
        "proposed_on": cn_date(proposal.proposed_at),
        "committee": organ_name(disposing_organisation(r.case, None)),
        "department": organ_name(disposing_organisation(r.case, P.RESTORE)),
    }
