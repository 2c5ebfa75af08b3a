"""The higher committee's approval (four-eyes, named approvers), the decision in force, and
the case closed once the decision is served with no clock running."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.access import has_role_at
from casework.errors import DomainError, PermissionDenied
from casework.models import (
    ApproverAssignment,
    Case,
    ClockKind,
    Decision,
    MeetingResolution,
    Member,
    MemberChange,
    MemberStatus,
    ProposalKind,
    ProposalStatus,
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


def case_approve(*, case: Case, actor: AbstractBaseUser, comment: str = "") -> Case:
    """The higher committee approves (four-eyes); the decision is in force and the member's
    status changes in this same transaction."""
    with case_transition(case, actor) as t:
        case = t.case
        t.fire("approve")
        proposal = locked_proposal(case)
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
        today = timezone.localdate()
        rules = rules_of_case(case)
        case.clock_kind, case.clock_due = ClockKind.NONE, None
        if proposal.kind == ProposalKind.CORRECTION:
            case.clock_kind = ClockKind.CORRECTION
            case.clock_due = add_months(today, proposal.correction_months or 6)
        elif proposal.kind == ProposalKind.SUSPEND:
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
        if status_after != status_before:
            Member.objects.filter(pk=member.pk).update(
                status=status_after, updated_at=timezone.now()
            )
            member.status = status_after
            MemberChange.objects.create(
                member=member,
                actor_id=actor_id(actor),
                source="case",
                changes={"status": [status_before, status_after]},
            )
        proposal.status = ProposalStatus.APPROVED
        proposal.save(update_fields=["status"])
        t.save("clock_kind", "clock_due")
        t.note(
            comment=comment,
            details={
                "decision": decision.pk,
                "kind": proposal.kind,
                "member_status": [status_before, status_after],
                "clock_due": case.clock_due,
            },
        )
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
