"""Appeals (申诉) against the decision in force: received, then decided by the organ above the
one that decided (casework.seats.appeal_seat): upheld (维持) or revoked (撤销).

The rules on the decision's clocks: an appeal does not stay the decision (申诉期间不停止原决定
的执行). While it is pending the decision stays in force and its clocks run on — the
correction period, the suspension's two-year limit — and the flow's steps after the decision
stay open; the case may move on (a restoration, the correction review) and the appeal can
still be decided (upheld; revoking needs the decision as it was). Upheld, nothing changes.
Revoked, the decision no longer stands: the member's 党籍 status goes back to what it was
before the decision, its clock stops, and the case goes back to the branch for the deciding
organ to handle again (重新处理, as the reply says), like a refusal: status proposal, no
pending proposal. A case that had closed on that decision opens again for it.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.access import has_role_at
from casework.errors import Conflict, DomainError, PermissionDenied
from casework.models import (
    CLOSED_STATUSES,
    Appeal,
    AppealOutcome,
    Case,
    CaseStatus,
    ClockKind,
    Decision,
    Member,
    MemberChange,
    ProposalKind,
)
from casework.seats import appeal_seat
from casework.services.transitions import Actor, actor_id, case_transition

# Decisions a member may appeal: the dispositions against them (not a restoration, not their
# own withdrawal, not a return to normal management).
APPEALABLE = (
    ProposalKind.CORRECTION,
    ProposalKind.PERSUADE,
    ProposalKind.REMOVE,
    ProposalKind.SUSPEND,
    ProposalKind.ANNUL_PROBATION,
)


def decision_in_force(case: Case) -> Decision | None:
    """The case's decision that still stands: the one of its current proposal, the member's
    status still the one it gave, not revoked on appeal. None when there is none."""
    if case.status not in (CaseStatus.IN_FORCE, CaseStatus.CLOSED):
        return None
    decision = (
        Decision.objects.filter(case=case, proposal_id=case.current_proposal_id or 0)
        .select_related("member")
        .first()
    )
    if decision is None or decision.member.status != decision.member_status_after:
        return None
    if case.status == CaseStatus.CLOSED and case.outcome != decision.kind:
        return None  # closed on something else (corrected, withdrew …): nothing left to appeal
    if Appeal.objects.filter(decision=decision, outcome=AppealOutcome.REVOKED).exists():
        return None
    return decision


def pending_appeal(case: Case) -> Appeal | None:
    return Appeal.objects.filter(case=case, outcome=AppealOutcome.PENDING).first()


def case_file_appeal(
    *, case: Case, actor: AbstractBaseUser, grounds: str, received_on: dt.date
) -> Appeal:
    """The member's appeal against the decision in force is received (by the branch or by the
    organ above): recorded for the higher organ to review. The decision stays in force and its
    clocks run on while the appeal is pending."""
    if not grounds.strip():
        raise DomainError(_("请填写申诉理由。"), code="grounds_required")
    if received_on > timezone.localdate():
        raise DomainError(_("收到申诉日期不能晚于今天。"), code="received_in_future")
    with case_transition(case, actor) as t:
        case = t.case
        decision = decision_in_force(case)  # None before a decision: said before the FSM does
        if decision is None or decision.kind not in APPEALABLE:
            raise Conflict(_("本案没有可以申诉的生效处置决定。"), code="no_decision_in_force")
        t.fire("file_appeal")
        if Appeal.objects.filter(decision=decision).exists():
            raise Conflict(_("对该处置决定的申诉已经受理，不能重复受理。"), code="appeal_exists")
        if received_on < timezone.localtime(decision.in_force_at).date():
            raise DomainError(
                _("收到申诉日期不能早于决定生效日期。"), code="received_before_decision"
            )
        seat = appeal_seat(case)
        appeal = Appeal.objects.create(
            case=case,
            decision=decision,
            grounds=grounds.strip(),
            received_on=received_on,
            received_by_id=actor_id(actor),
            organisation=seat.organisation,
        )
        t.note(
            details={
                "appeal": appeal.pk,
                "decision": decision.pk,
                "kind": decision.kind,
                "received_on": received_on,
                "reviewed_by": seat.organisation.pk,
            },
        )
    return appeal


def case_decide_appeal(*, case: Case, actor: Actor, upheld: bool, reason: str) -> Case:
    """The organ above decides the pending appeal after its review, with its reason. Upheld:
    the decision and its clocks stand. Revoked: the member's status before the decision comes
    back, the clock stops and the case goes back to the branch (proposal)."""
    if not reason.strip():
        raise DomainError(_("请填写复查意见。"), code="reason_required")
    with case_transition(case, actor) as t:
        case = t.case
        appeal = (
            Appeal.objects.select_for_update()
            .select_related("decision", "organisation")
            .filter(case=case, outcome=AppealOutcome.PENDING)
            .first()
        )
        in_force = decision_in_force(case)
        target = case.status
        if appeal is not None and not upheld:
            target = CaseStatus.PROPOSAL
        t.fire("decide_appeal", target=target)
        if appeal is None:
            raise Conflict(
                _("本案没有待复查的申诉（可能已由他人办理）。"), code="no_pending_appeal"
            )
        role = appeal_seat(case).role
        if actor is None or not has_role_at(actor, appeal.organisation, [role]):
            raise PermissionDenied(
                _("只有%(org)s的审批人可以对申诉作出复查决定。") % {"org": appeal.organisation.name}
            )
        decision = appeal.decision
        if not upheld and in_force != decision:
            # the case went on while the appeal was pending (the decision is not stayed) and
            # the decision no longer stands as it was: nothing is left to revoke
            raise Conflict(
                _("原处置决定已不再按原样生效（案件已进入后续环节），不能撤销，只能维持。"),
                code="no_decision_in_force",
            )
        appeal.outcome = AppealOutcome.UPHELD if upheld else AppealOutcome.REVOKED
        appeal.reason = reason.strip()
        appeal.decided_at = timezone.now()
        appeal.decided_by_id = actor_id(actor)
        appeal.save(update_fields=["outcome", "reason", "decided_at", "decided_by"])
        if not upheld:
            _revoke(case, decision, actor)
            t.save("clock_kind", "clock_due", "current_proposal", "suggested_kinds")
            t.save("outcome", "closed_at")
        t.note(
            comment=reason.strip(),
            details={
                "appeal": appeal.pk,
                "decision": decision.pk,
                "outcome": appeal.outcome,
                "member_status": [decision.member_status_after, case.member.status],
            },
        )
    return t.case


def _revoke(case: Case, decision: Decision, actor: Actor) -> None:
    """The decision revoked: the member's status before it, no clock, back to the branch."""
    if case.status in CLOSED_STATUSES or case.closed_at is not None:
        other = Case.objects.filter(member_id=case.member_id).exclude(pk=case.pk)
        if other.exclude(status__in=CLOSED_STATUSES).exists():
            raise Conflict(
                _("该党员已有办理中的案件，请先办结后再撤销原决定。"), code="other_case_open"
            )
    member = case.member
    before, after = member.status, decision.member_status_before
    if before != after:
        Member.objects.filter(pk=member.pk).update(status=after, updated_at=timezone.now())
        member.status = after
        MemberChange.objects.create(
            member=member,
            actor_id=actor_id(actor),
            source="case",
            changes={"status": [before, after]},
        )
    case.clock_kind, case.clock_due = ClockKind.NONE, None
    case.current_proposal = None
    case.suggested_kinds = []
    case.outcome = ""
    case.closed_at = None
