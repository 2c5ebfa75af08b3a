"""A case going back: withdrawn before a decision, or sent back to the step before."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.errors import Conflict, DomainError
from casework.models import (
    Case,
    CaseStatus,
    Member,
    MemberChange,
    MemberStatus,
    PreReview,
    Proposal,
    ProposalKind,
    ProposalStatus,
    WithdrawReason,
)
from casework.services.transitions import actor_id, case_transition, locked_proposal


def case_withdraw(*, case: Case, actor: AbstractBaseUser, reason_code: str, reason: str) -> Case:
    """Withdraw an open case before a decision: opened in error, deceased, transferred out."""
    if reason_code not in WithdrawReason.values:
        raise DomainError(_("撤销原因无效。"), code="invalid_reason")
    if not reason.strip():
        raise DomainError(_("请填写撤销说明。"), code="reason_required")
    with case_transition(case, actor) as t:
        case = t.case
        t.fire("withdraw")
        if case.clock_kind:
            # a decision is in force (a suspension during a restoration application): the
            # case ends by that decision's own route, never by withdrawal
            raise Conflict(
                _("本案已有生效的处置决定，不能撤销；恢复党籍申请可由审批机关不予批准。"),
                code="decision_in_force",
            )
        member = case.member
        new_status = {
            WithdrawReason.DECEASED: MemberStatus.DECEASED,
            WithdrawReason.TRANSFERRED_OUT: MemberStatus.TRANSFERRED_OUT,
        }.get(WithdrawReason(reason_code))
        if new_status and member.status != new_status:
            MemberChange.objects.create(
                member=member,
                actor_id=actor_id(actor),
                source="case",
                changes={"status": [member.status, new_status]},
            )
            Member.objects.filter(pk=member.pk).update(status=new_status, updated_at=timezone.now())
            member.status = new_status
        if case.current_proposal_id:
            Proposal.objects.filter(
                pk=case.current_proposal_id, status=ProposalStatus.PENDING
            ).update(status=ProposalStatus.WITHDRAWN)
        case.withdraw_reason = reason_code
        case.outcome = "withdrawn"
        case.closed_at = timezone.now()
        t.save("withdraw_reason", "outcome", "closed_at")
        t.note(comment=reason, details={"reason": reason_code})
    return t.case


def step_before(status: str, proposal: Proposal) -> str:
    """Where a send back returns: the step before `status` on the proposal's decision path —
    pre-review → where the proposal was made, notice/defence → pre-review, the meeting →
    defence, approval → the meeting (a restoration: pre-review; back to normal: the cause
    assessment). Empty when the status has no step before it to return to."""
    if status == CaseStatus.PRE_REVIEW:
        return proposal.proposed_in
    if status == CaseStatus.APPROVAL:
        return {
            ProposalKind.RESTORE: CaseStatus.PRE_REVIEW,
            ProposalKind.RETURN_TO_NORMAL: CaseStatus.LOCATED,
        }.get(ProposalKind(proposal.kind), CaseStatus.MEETING)
    if status == CaseStatus.MEETING and proposal.kind == ProposalKind.WITHDRAWAL:
        return proposal.proposed_in  # 退党: no pre-review or defence before the meeting
    return {
        CaseStatus.DEFENCE: CaseStatus.PRE_REVIEW,
        CaseStatus.MEETING: CaseStatus.DEFENCE,
    }.get(CaseStatus(status), "")


def case_send_back(*, case: Case, actor: AbstractBaseUser, comment: str) -> Case:
    """A reviewer or approver returns the case to the step before (`step_before`), with a
    required comment. Back before the proposal, the proposal is closed as sent back; back to
    pre-review, its pre-reviews start over."""
    if not comment.strip():
        raise DomainError(_("退回时须填写意见。"), code="comment_required")
    with case_transition(case, actor) as t:
        case = t.case
        if case.current_proposal_id is None:
            raise Conflict(_("本案当前环节不能退回。"), code="illegal_transition")
        proposal = locked_proposal(case)
        target = step_before(case.status, proposal)
        if not target:
            raise Conflict(_("本案当前环节不能退回。"), code="illegal_transition")
        t.fire("send_back", target=target)
        if t.after in (CaseStatus.PROPOSAL, CaseStatus.NOT_LOCATED, CaseStatus.LOCATED):
            proposal.status = ProposalStatus.SENT_BACK
            proposal.save(update_fields=["status"])
            case.current_proposal = None
        if t.after == CaseStatus.PRE_REVIEW:
            PreReview.objects.filter(proposal=proposal, is_current=True).update(is_current=False)
        t.save("current_proposal")
        t.note(comment=comment, details={"sent_back_from": t.before, "returned_to": t.after})
    return t.case
