"""The clocks after a decision: the correction deadline's review, the suspension limit, and
a suspended member's application to restore membership."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.errors import Conflict, DomainError
from casework.models import (
    Case,
    CaseStatus,
    ClockKind,
    Decision,
    MembershipType,
    ProposalKind,
)
from casework.services.transitions import Actor, case_transition


def case_review_correction(
    *, case: Case, actor: Actor, corrected: bool, notes: str = "", as_of: dt.date | None = None
) -> Case:
    """Follow-up review when the correction deadline is reached: corrected → closed; not
    corrected → a new proposal (劝退 for full members, or 除名)."""
    with case_transition(case, actor) as t:
        case = t.case
        if case.clock_kind != ClockKind.CORRECTION or case.clock_due is None:
            raise Conflict(_("本案没有进行中的限期改正。"), code="no_correction_clock")
        if (as_of or timezone.localdate()) < case.clock_due:
            raise DomainError(
                _("改正期限至%(day)s，尚未届满。") % {"day": f"{case.clock_due:%Y年%m月%d日}"},
                code="clock_not_due",
            )
        target = CaseStatus.CLOSED if corrected else CaseStatus.PROPOSAL
        t.fire("review_correction", target=target)
        case.clock_kind, case.clock_due = ClockKind.NONE, None
        t.save("clock_kind", "clock_due", "suggested_kinds")
        if corrected:
            case.outcome = "corrected"
            case.closed_at = timezone.now()
            t.save("outcome", "closed_at")
        else:
            full = case.member.membership_type == MembershipType.FULL
            case.suggested_kinds = ([ProposalKind.PERSUADE] if full else []) + [ProposalKind.REMOVE]
        t.note(comment=notes, details={"corrected": corrected})
    return t.case


def case_record_persuasion_outcome(
    *, case: Case, actor: Actor, withdrew: bool, on: dt.date, notes: str = ""
) -> Case:
    """After 劝退: the member withdrew (the case closes), or still refuses to withdraw (劝而不退):
    the branch proposes removal (除名), which its general meeting decides and the committee
    approves (Party Constitution art. 9)."""
    if on > timezone.localdate():
        raise DomainError(_("日期不能晚于今天。"), code="date_in_future")
    with case_transition(case, actor) as t:
        case = t.case
        decision = Decision.objects.filter(
            case=case, proposal_id=case.current_proposal_id or 0, kind=ProposalKind.PERSUADE
        ).first()
        if decision is None or case.clock_kind:
            raise Conflict(_("本案没有生效的劝退决定待处理。"), code="no_persuasion")
        if on < timezone.localtime(decision.in_force_at).date():
            raise DomainError(_("日期不能早于劝退决定生效日期。"), code="before_decision")
        t.fire(
            "record_persuasion_outcome",
            target=CaseStatus.CLOSED if withdrew else CaseStatus.PROPOSAL,
        )
        if withdrew:
            case.outcome = ProposalKind.PERSUADE
            case.closed_at = timezone.now()
            t.save("outcome", "closed_at")
        else:
            case.suggested_kinds = [ProposalKind.REMOVE]
            t.save("suggested_kinds")
        t.note(comment=notes, details={"withdrew": withdrew, "on": on})
    return t.case


def case_expire_suspension(*, case: Case, as_of: dt.date, actor: Actor = None) -> Case:
    """The timer: suspended and still unreachable after the limit → a removal proposal
    (self-withdrawal, 自行脱党)."""
    with case_transition(case, actor) as t:
        case = t.case
        if case.clock_kind != ClockKind.SUSPENSION or case.clock_due is None:
            raise Conflict(_("本案没有进行中的停止党籍期限。"), code="no_suspension_clock")
        if as_of < case.clock_due:
            raise DomainError(_("停止党籍期限尚未届满。"), code="clock_not_due")
        t.fire("expire_suspension", as_actor=False)
        case.clock_kind, case.clock_due = ClockKind.NONE, None
        case.suggested_kinds = [ProposalKind.REMOVE]
        t.save("clock_kind", "clock_due", "suggested_kinds")
        t.note(details={"as_of": as_of, "suggested": case.suggested_kinds})
    return t.case


def case_apply_for_restoration(
    *, case: Case, actor: Actor, applied_on: dt.date, application: str
) -> Case:
    """A suspended member reappeared within the limit and applies to restore membership."""
    if not application.strip():
        raise DomainError(_("请填写恢复党籍申请内容。"), code="application_required")
    with case_transition(case, actor) as t:
        case = t.case
        if case.clock_kind != ClockKind.SUSPENSION or case.clock_due is None:
            raise Conflict(_("本案党员未处于停止党籍期间。"), code="not_suspended")
        if applied_on > case.clock_due:
            raise DomainError(
                _("停止党籍已满期限，不能申请恢复党籍。"), code="restoration_too_late"
            )
        t.fire("apply_for_restoration")
        case.suggested_kinds = [ProposalKind.RESTORE]
        t.save("suggested_kinds")
        t.note(comment=application, details={"applied_on": applied_on})
    return t.case
