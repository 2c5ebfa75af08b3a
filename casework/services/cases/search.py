"""The search: outreach, located (with the talk), not located, and the cause assessed."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.errors import DomainError
from casework.models import (
    Case,
    CaseStatus,
    Cause,
    Ground,
    Member,
    MembershipType,
    MemberStatus,
    Proposal,
    ProposalKind,
    TalkRecord,
)
from casework.services.ledgers import contact_attempt_record
from casework.services.transitions import Actor, actor_id, case_transition, lock_case
from casework.transactions import atomic


def case_start_outreach(*, case: Case, actor: Actor) -> Case:
    """The contact officer starts trying to reach the member: registered → outreach."""
    with case_transition(case, actor) as t:
        t.fire("start_outreach")
    return t.case


def case_record_outreach_attempt(
    *, case: Case, actor: AbstractBaseUser, channel: str, outcome: str, notes: str = ""
) -> Case:
    """The contact officer logs one attempt to reach the member on the case; the first one
    moves a registered case into outreach (both in one transaction)."""
    with atomic():
        case = lock_case(case)
        if case.status == CaseStatus.REGISTERED:
            case = case_start_outreach(case=case, actor=actor)
        contact_attempt_record(
            member=case.member,
            actor=actor,
            channel=channel,
            outcome=outcome,
            notes=notes,
            case=case,
        )
    return case


def case_finish_outreach(*, case: Case, actor: Actor, comment: str = "") -> Case:
    """Outreach exhausted without result (policy minimum met): outreach → inquiry. A case
    still registered starts outreach first (both steps recorded)."""
    with case_transition(case, actor) as t:
        if t.case.status == CaseStatus.REGISTERED:
            t.case = case_start_outreach(case=t.case, actor=actor)
        t.fire("finish_outreach")
        t.case.outreach_done_at = timezone.now()
        t.save("outreach_done_at")
        t.note(comment=comment)
    return t.case


def case_mark_located(
    *,
    case: Case,
    actor: Actor,
    talkers: tuple[Member, Member],
    held_on: dt.date,
    content: str,
) -> Case:
    """Contact regained; the talk by two full members is recorded with it."""
    talker1, talker2 = talkers
    if talker1.pk == talker2.pk:
        raise DomainError(_("谈话人须为两名不同的正式党员。"), code="talkers_distinct")
    if not content.strip():
        raise DomainError(_("请填写谈话内容。"), code="talk_content_required")
    if held_on > timezone.localdate():
        raise DomainError(_("谈话日期不能晚于今天。"), code="talk_in_future")
    with case_transition(case, actor) as t:
        for talker in (talker1, talker2):
            if talker.pk == t.case.member_id:
                raise DomainError(_("谈话人不能是本人。"), code="talker_is_member")
            if (
                talker.membership_type != MembershipType.FULL
                or talker.status != MemberStatus.NORMAL
            ):
                raise DomainError(
                    _("谈话人须为党籍正常的正式党员。"), code="talker_not_full_member"
                )
        t.fire("mark_located")
        talk = TalkRecord.objects.create(
            case=t.case,
            talker1=talker1,
            talker2=talker2,
            held_on=held_on,
            content=content,
            recorded_by_id=actor_id(actor),
        )
        t.case.located_at = timezone.now()
        t.save("located_at")
        t.note(details={"talk": talk.pk, "held_on": held_on})
    return t.case


def case_mark_not_located(*, case: Case, actor: Actor, comment: str = "") -> Case:
    """The full search failed: minimum outreach done and every inquiry settled."""
    with case_transition(case, actor) as t:
        t.fire("mark_not_located")
        probationary = t.case.member.membership_type == MembershipType.PROBATIONARY
        t.case.suggested_kinds = [
            ProposalKind.ANNUL_PROBATION if probationary else ProposalKind.SUSPEND
        ]
        t.save("suggested_kinds")
        t.note(comment=comment, details={"suggested": t.case.suggested_kinds})
    return t.case


def case_assess_cause(*, case: Case, actor: Actor, cause: str, notes: str = "") -> Case:
    """After the talk: objective → back to normal (committee approves); subjective →
    correction; unfit → removal; asks to leave → withdrawal."""
    if cause not in Cause.values:
        raise DomainError(_("失联原因认定无效。"), code="invalid_cause")
    with case_transition(case, actor) as t:
        case = t.case
        target = CaseStatus.APPROVAL if cause == Cause.OBJECTIVE else CaseStatus.PROPOSAL
        t.fire("assess_cause", target=target)
        case.cause = cause
        t.save("cause", "suggested_kinds")
        if cause == Cause.OBJECTIVE:
            proposal = Proposal.objects.create(
                case=case,
                kind=ProposalKind.RETURN_TO_NORMAL,
                grounds=[Ground.OBJECTIVE_CAUSE],
                reasons=notes,
                proposed_by_id=actor_id(actor),
                proposed_in=t.before,
            )
            case.current_proposal = proposal
            case.suggested_kinds = [ProposalKind.RETURN_TO_NORMAL]
            t.save("current_proposal")
        elif cause == Cause.SUBJECTIVE:
            case.suggested_kinds = [ProposalKind.CORRECTION]
        elif cause == Cause.UNFIT:
            full = case.member.membership_type == MembershipType.FULL
            case.suggested_kinds = [ProposalKind.REMOVE] + ([ProposalKind.PERSUADE] if full else [])
        else:
            case.suggested_kinds = [ProposalKind.WITHDRAWAL]
        t.note(comment=notes, details={"cause": cause, "suggested": case.suggested_kinds})
    return t.case
