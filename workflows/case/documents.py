"""Which formal documents a step of the case flow issues for a case, and issuing them.

The step table (workflows/case/steps.py) names, per step, the kinds it may issue and the
`pick_*` function below that chooses among them by the case's state after the step. The
documents themselves — their facts, organs and numbers — come from documents.issuing.
Inquiry letters and reminders are batched by the integrations layer and not issued here.
Documents are numbered inside the step's transaction and rendered after commit; a fact the
text needs and the case lacks refuses the step with a message naming it (MissingFact).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from casework.errors import DomainError
from casework.models import (
    Appeal,
    AppealOutcome,
    Case,
    CaseStatus,
    CaseTrack,
    Decision,
    PreReview,
    Proposal,
    ProposalKind,
    ProposalStatus,
    ReviewLevel,
    ServiceMethod,
)
from documents.facts import DECISION_OF
from documents.issuing import case_documents_issue
from documents.kinds import DocumentKind as K
from documents.models import Document

logger = logging.getLogger(__name__)
P = ProposalKind

# (kind, builder parameters) — one document a step issues
Issue = tuple[str, dict[str, Any]]

# Issued when a case is registered (the flow's start, not a human step).
OPENING_DOCUMENTS: tuple[Issue, ...] = ((K.REGISTER_FORM, {}),)


def pick_opening(case: Case) -> list[Issue]:
    """The lost-contact register form; a 自行脱党 or abroad case (the member is not lost) has
    none: its facts are in the approval form issued with the proposal."""
    return list(OPENING_DOCUMENTS) if case.track == CaseTrack.LOST_CONTACT else []


def _proposal_kind(case: Case) -> str | None:
    proposal = case.current_proposal if case.current_proposal_id is not None else None
    return proposal.kind if proposal is not None else None


def _department_reviewed_now(case: Case) -> bool:
    latest = (
        PreReview.objects.filter(proposal_id=case.current_proposal_id or 0, is_current=True)
        .order_by("-id")
        .values_list("level", flat=True)
        .first()
    )
    return latest == ReviewLevel.DEPARTMENT


# ---- per step: which of its kinds this case gets ----------------------------------------------


def pick_assess_cause(case: Case) -> list[Issue]:
    # objective cause: the branch asks the committee to restore normal management
    return [(K.REQUEST, {})] if case.status == CaseStatus.APPROVAL else []


def pick_propose(case: Case) -> list[Issue]:
    return [(K.RESTORATION_FORM if _proposal_kind(case) == P.RESTORE else K.APPROVAL_FORM, {})]


def pick_pre_review(case: Case) -> list[Issue]:
    return [(K.PRE_REVIEW_OPINION, {})] if _department_reviewed_now(case) else []


def pick_notice(case: Case) -> list[Issue]:
    if _proposal_kind(case) == P.WITHDRAWAL:
        return []
    proposal = case.current_proposal
    if proposal is not None and proposal.notice_how == ServiceMethod.PUBLIC_NOTICE:
        days = (proposal.notified_on - proposal.notice_published_on).days  # type: ignore[operator]
        return [(K.PUBLIC_NOTICE, {"period_days": days})]
    return [(K.DEFENCE_NOTICE, {}), (K.DELIVERY_RECEIPT, {"served_kind": K.DEFENCE_NOTICE})]


def pick_meeting(case: Case) -> list[Issue]:
    if case.status == CaseStatus.IN_FORCE:  # 退党: announced and filed (备案)
        return [(K.MEETING_RESOLUTION, {}), (K.FILING_REPORT, {})]
    if case.status != CaseStatus.APPROVAL:  # the vote failed: a resolution that says so
        return [(K.MEETING_RESOLUTION, {})]
    upward = K.FILING_REPORT if _proposal_kind(case) == P.WITHDRAWAL else K.REQUEST
    return [(K.MEETING_RESOLUTION, {}), (upward, {})]


def _refused_now(case: Case) -> bool:
    """The approving organ has just refused the case's latest proposal (不予批准)."""
    if case.current_proposal_id is not None:  # approved: the proposal is still current
        return False
    latest = Proposal.objects.filter(case_id=case.pk).order_by("-id").first()
    return latest is not None and latest.status == ProposalStatus.REFUSED


def pick_approval(case: Case) -> list[Issue]:
    if _refused_now(case):
        return [(K.REPLY, {})]  # 不予批准的批复, with the reason
    if case.status != CaseStatus.IN_FORCE:
        return []
    kind = _proposal_kind(case)
    if kind == P.RETURN_TO_NORMAL:
        return [(K.REPLY, {})]
    if kind == P.WITHDRAWAL:
        return []  # filed (备案), no reply
    replies: list[Issue] = [] if kind == P.RESTORE else [(K.REPLY, {})]
    if kind == P.REMOVE and _after_persuasion(case):
        issue = _removal_after_persuasion(case)
        served = issue[0]
        return [*replies, issue, (K.DELIVERY_RECEIPT, {"served_kind": served})]
    decision = DECISION_OF[P(kind or "")]
    return [*replies, (decision, {}), (K.DELIVERY_RECEIPT, {"served_kind": decision})]


def _removal_after_persuasion(case: Case) -> Issue:
    """劝而不退 → 除名: the removal decision cites the persuasion, the refusal and the meeting."""
    from casework.models import MeetingResolution, TimelineEntry

    refused = (
        TimelineEntry.objects.filter(case_id=case.pk, action="case.record_persuasion_outcome")
        .order_by("-id")
        .first()
    )
    meeting = (
        MeetingResolution.objects.filter(proposal_id=case.current_proposal_id or 0, passed=True)
        .order_by("-id")
        .first()
    )
    refused_on = (refused.details or {}).get("on") if refused else None
    facts = {}
    if meeting is not None:
        facts = {
            "date": f"{meeting.held_on.year}年{meeting.held_on.month}月{meeting.held_on.day}日",
            "place": meeting.place,
            "entitled": meeting.voting_members,
            "present": meeting.present,
            "votes_for": meeting.votes_for,
            "votes_against": meeting.votes_against,
            "votes_abstain": meeting.abstentions,
        }
    return (
        K.DECISION_REMOVAL_AFTER_PERSUASION,
        {
            "refused_on": dt.date.fromisoformat(refused_on) if refused_on else None,
            "meeting_facts": facts,
        },
    )


def _after_persuasion(case: Case) -> bool:
    return Decision.objects.filter(case_id=case.pk, kind=P.PERSUADE).exists()


def pick_persuasion_outcome(case: Case) -> list[Issue]:
    return [(K.DOSSIER, {})] if case.status == CaseStatus.CLOSED else []


def pick_correction_review(case: Case) -> list[Issue]:
    closing: list[Issue] = [(K.DOSSIER, {})] if case.status == CaseStatus.CLOSED else []
    return [(K.CORRECTION_REVIEW, {}), *closing]


def pick_appeal_review(case: Case) -> list[Issue]:
    """The reply to the member on the appeal just decided (申诉复查答复)."""
    appeal = (
        Appeal.objects.filter(case_id=case.pk)
        .exclude(outcome=AppealOutcome.PENDING)
        .order_by("-decided_at", "-id")
        .first()
    )
    if appeal is None:
        return []
    upheld = appeal.outcome == AppealOutcome.UPHELD
    facts = {"received_on": appeal.received_on, "upheld": upheld, "findings": appeal.reason}
    return [(K.APPEAL_REPLY, facts)]


# ---- issuing ---------------------------------------------------------------------------------


def issue_step_documents(
    *, issues: Sequence[Issue], case: Case, actor: AbstractBaseUser | None
) -> list[Document]:
    """Issue the documents of a step (`issues`, from its declaration), in the caller's
    transaction."""
    if not issues:
        return []
    try:
        return case_documents_issue(
            kinds=[kind for kind, _ in issues],
            case=case,
            actor=actor,
            params={kind: params for kind, params in issues if params},
        )
    except DomainError as exc:
        if exc.code not in ("no_approving_org", "no_department", "no_doc_code"):
            raise
        # A tree without 机关代字, approving committee or organisation department is a
        # configuration gap; the case must still move. Say so loudly (ids only).
        logger.warning(
            "case %s documents %s: no issuing organisation configured (%s), not issued",
            case.pk,
            [kind for kind, _ in issues],
            exc.code,
        )
        return []
