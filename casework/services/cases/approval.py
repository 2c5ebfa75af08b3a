"""The higher committee's approval (four-eyes, named approvers), the decision in force, and
the case closed once the decision is served with no clock running."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import combined_writes
from casework.access import has_role_at
from casework.caserules import member_reachable
from casework.errors import Conflict, DomainError, PermissionDenied
from casework.models import (
    ApproverAssignment,
    Case,
    CaseStatus,
    CaseTrack,
    ClockKind,
    Decision,
    MeetingResolution,
    Member,
    MemberChange,
    MemberStatus,
    Proposal,
    ProposalKind,
    ProposalStatus,
    ServiceMethod,
)
from casework.policy import add_months, rules_of_case
from casework.seats import approval_seat
from casework.services.transitions import Actor, actor_id, case_transition, locked_proposal


def _change_approver(
    *, case: Case, actor: AbstractBaseUser, approver: AbstractBaseUser, add: bool
) -> Case:
    with case_transition(case, actor) as t:
        t.fire("change_approvers")
        proposal = locked_proposal(t.case)
        role, org = approval_seat(t.case, proposal)
        if add:
            if not has_role_at(approver, org, [role]):
                raise DomainError(_("所选人员不是审批组织的审批人。"), code="not_an_approver")
            ApproverAssignment.objects.update_or_create(
                proposal=proposal,
                user_id=approver.pk,
                defaults={"is_active": True, "added_by_id": actor_id(actor)},
            )
        else:
            changed = ApproverAssignment.objects.filter(
                proposal=proposal, user_id=approver.pk, is_active=True
            ).update(is_active=False)
            if not changed:
                raise DomainError(_("该人员不在审批人名单中。"), code="not_listed")
        t.note(
            details={"approver": approver.pk},
            action="case.add_approver" if add else "case.remove_approver",
        )
    return t.case


def case_add_approver(*, case: Case, actor: AbstractBaseUser, approver: AbstractBaseUser) -> Case:
    """Name an approver while the approval is pending (then only named approvers decide)."""
    return _change_approver(case=case, actor=actor, approver=approver, add=True)


def case_remove_approver(
    *, case: Case, actor: AbstractBaseUser, approver: AbstractBaseUser
) -> Case:
    return _change_approver(case=case, actor=actor, approver=approver, add=False)


_MEMBER_STATUS_AFTER = {
    ProposalKind.SUSPEND: MemberStatus.SUSPENDED,
    ProposalKind.REMOVE: MemberStatus.REMOVED,
    ProposalKind.PERSUADE: MemberStatus.PERSUADED_OUT,
    ProposalKind.WITHDRAWAL: MemberStatus.WITHDREW,
    ProposalKind.ANNUL_PROBATION: MemberStatus.PROBATION_ANNULLED,
    ProposalKind.RESTORE: MemberStatus.NORMAL,
    ProposalKind.CORRECTION: MemberStatus.NORMAL,
    ProposalKind.RETURN_TO_NORMAL: MemberStatus.NORMAL,
}


def _check_approver(case: Case, proposal: Proposal, actor: AbstractBaseUser) -> None:
    """The approval seat, four-eyes and the named approvers: who may approve or refuse."""
    role, org = approval_seat(case, proposal)
    if not has_role_at(actor, org, [role]):
        raise PermissionDenied(_("只有%(org)s的审批人可以审批。") % {"org": org.name})
    if proposal.proposed_by_id == actor.pk:
        raise PermissionDenied(_("提议人不能审批自己的提议。"), code="four_eyes")
    if MeetingResolution.objects.filter(proposal=proposal, recorded_by_id=actor.pk).exists():
        raise PermissionDenied(_("记录支部大会决议的人不能审批同一提议。"), code="four_eyes")
    named = set(
        ApproverAssignment.objects.filter(proposal=proposal, is_active=True).values_list(
            "user_id", flat=True
        )
    )
    if named and actor.pk not in named:
        raise PermissionDenied(_("您不在本案的审批人名单中。"), code="not_named_approver")


def case_approve(*, case: Case, actor: AbstractBaseUser, comment: str = "") -> Case:
    """The higher committee approves (four-eyes); the decision is in force and the member's
    status changes in this same transaction."""
    with case_transition(case, actor) as t:
        case = t.case
        t.fire("approve")
        proposal = locked_proposal(case)
        _check_approver(case, proposal, actor)
        decision = put_in_force(case, proposal, actor, comment, writes=t.writes)
        t.save("clock_kind", "clock_due")
        t.note(
            comment=comment,
            details={
                "decision": decision.pk,
                "kind": proposal.kind,
                "member_status": [decision.member_status_before, decision.member_status_after],
                "clock_due": case.clock_due,
            },
        )
    return t.case


def put_in_force(
    case: Case,
    proposal: Proposal,
    actor: AbstractBaseUser,
    comment: str,
    writes: list[combined_writes.Write] | None = None,
) -> Decision:
    """The decision row, its clock and the member's new status, in the caller's transition
    (the committee's approval; for 退党, the branch meeting's filed resolution). With
    `writes` (the transition's), the member's and the proposal's rows are written with the
    step's records instead of at once."""
    today = timezone.localdate()
    rules = rules_of_case(case)
    case.clock_kind, case.clock_due = ClockKind.NONE, None
    if proposal.kind == ProposalKind.CORRECTION:
        # the period runs from service (自本决定送达之日起): due once served
        case.clock_kind = ClockKind.CORRECTION
    elif proposal.kind == ProposalKind.SUSPEND and case.track != CaseTrack.ABROAD:
        # a member suspended for living abroad has no two-year limit: they may apply for
        # restoration when they come back (2019 rules)
        case.clock_kind = ClockKind.SUSPENSION
        case.clock_due = add_months(today, rules.suspension_limit_months)
    member = case.member
    status_before = member.status
    status_after = _MEMBER_STATUS_AFTER[ProposalKind(proposal.kind)]
    decision = Decision.objects.create(
        case=case,
        proposal=proposal,
        member=member,
        kind=proposal.kind,
        approved_by_id=actor.pk,
        approval_comment=comment,
        in_force_at=timezone.now(),
        member_status_before=status_before,
        member_status_after=status_after,
        clock_due=case.clock_due,
    )
    later: list[combined_writes.Write] = []
    if status_after != status_before:
        later.append(
            combined_writes.update(
                Member, member.pk, {"status": status_after, "updated_at": timezone.now()}
            )
        )
        member.status = status_after
        change = MemberChange(
            member=member,
            actor_id=actor_id(actor),
            source="case",
            changes={"status": [status_before, status_after]},
        )
        later.append(combined_writes.insert(change, returning=False))
    proposal.status = ProposalStatus.APPROVED
    later.append(combined_writes.update(Proposal, proposal.pk, {"status": proposal.status}))
    if writes is None:
        combined_writes.run(later)
    else:
        writes.extend(later)
    return decision


def case_refuse(*, case: Case, actor: AbstractBaseUser, reason: str, close: bool = False) -> Case:
    """The approving organ refuses (不予批准) with its reason; nothing changes for the member.
    A refused restoration leaves the suspension in force (its clock keeps running: the
    member may apply again until it ends, then the removal follows); any other proposal goes
    back to the branch to study again, or — for a member who was found — the case closes."""
    if not reason.strip():
        raise DomainError(_("不予批准须写明理由。"), code="reason_required")
    with case_transition(case, actor) as t:
        case = t.case
        if case.status != CaseStatus.APPROVAL:
            t.fire("refuse", target=CaseStatus.PROPOSAL)  # refused: not at the approval
        proposal = locked_proposal(case)
        if proposal.kind == ProposalKind.RESTORE:
            target = CaseStatus.IN_FORCE
        elif close:
            if not member_reachable(case):
                raise DomainError(
                    _("党员尚未找到，不予批准后不能结案，须退回党支部另行研究。"),
                    code="refuse_close_not_located",
                )
            target = CaseStatus.CLOSED
        else:
            target = CaseStatus.PROPOSAL
        t.fire("refuse", target=target)
        _check_approver(case, proposal, actor)
        proposal.status = ProposalStatus.REFUSED
        proposal.save(update_fields=["status"])
        case.current_proposal = None
        case.suggested_kinds = []
        t.save("current_proposal", "suggested_kinds")
        if target == CaseStatus.CLOSED:
            case.outcome = "refused"
            case.closed_at = timezone.now()
            t.save("outcome", "closed_at")
        t.note(
            comment=reason,
            details={"proposal": proposal.pk, "kind": proposal.kind, "then": target},
        )
    return t.case


def case_record_service(*, case: Case, actor: Actor, served_on: dt.date, how: str) -> Case:
    """The decision in force was served (送达) on the member: when and how. A correction
    period runs from this day (自本决定送达之日起), so its clock starts here."""
    if how not in ServiceMethod.values:
        raise DomainError(_("送达方式无效。"), code="invalid_service_method")
    with case_transition(case, actor) as t:
        case = t.case
        t.fire("record_service")
        decision = (
            Decision.objects.select_for_update()
            .filter(case=case, proposal_id=case.current_proposal_id or 0)
            .first()
        )
        if decision is None or decision.served_on is not None:
            raise Conflict(_("本案没有待送达的处置决定。"), code="nothing_to_serve")
        if served_on < timezone.localtime(decision.in_force_at).date():
            raise DomainError(_("送达日期不能早于决定生效日期。"), code="served_before_decision")
        if served_on > timezone.localdate():
            raise DomainError(_("送达日期不能晚于今天。"), code="served_in_future")
        if how == ServiceMethod.IN_PERSON and not member_reachable(case):
            raise DomainError(
                _("党员尚未找到，不能直接送达本人，请选择家属代收、邮寄或公告送达。"),
                code="member_not_located",
            )
        decision.served_on, decision.served_how = served_on, how
        if case.clock_kind == ClockKind.CORRECTION:
            months = locked_proposal(case).correction_months or 6
            case.clock_due = decision.clock_due = add_months(served_on, months)
            t.save("clock_due")
        decision.save(update_fields=["served_on", "served_how", "clock_due"])
        t.note(details={"decision": decision.pk, "served_on": served_on, "how": how})
    return t.case


def case_close(*, case: Case, actor: Actor, comment: str = "") -> Case:
    """The decision is served and filed; no clock runs: in force → closed."""
    with case_transition(case, actor) as t:
        t.fire("close")
        proposal = locked_proposal(t.case)
        t.case.outcome = proposal.kind
        t.case.closed_at = timezone.now()
        t.save("outcome", "closed_at")
        t.note(comment=comment, details={"outcome": t.case.outcome})
    return t.case
