"""The lost-contact case: one function per transition.

Every function is keyword-only, runs in one transaction, locks the Case row, fires one
django-fsm-2 transition on `Case.status`, writes one timeline entry and one audit event,
and raises casework.errors with Chinese messages. Flow nodes, task views, Celery tasks and
commands call these; none re-implements a transition.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import hooks
from casework.access import has_role_at, has_role_over
from casework.errors import Conflict, DomainError, PermissionDenied
from casework.models import (
    UNQUALIFIED_GROUNDS,
    ApproverAssignment,
    Case,
    CaseStatus,
    Cause,
    Circumstance,
    ClockKind,
    Decision,
    Ground,
    MeetingResolution,
    Member,
    MemberChange,
    MembershipType,
    MemberStatus,
    Organisation,
    OrgKind,
    PreReview,
    Proposal,
    ProposalKind,
    ProposalStatus,
    ReviewLevel,
    Role,
    TalkRecord,
    TimelineEntry,
    WithdrawReason,
)
from casework.models.cases import BRANCH_STAFF
from casework.policy import add_months, rules_by_code, rules_for
from casework.services.transitions import Actor, fire, lock_case, record_step, save_case
from casework.transactions import atomic


def case_open(
    *,
    member: Member,
    actor: Actor,
    circumstance: str = Circumstance.OTHER,
    evidence: dict[str, object] | None = None,
    reason: str = "",
) -> Case:
    """Register a lost-contact case (by an officer, or by the detection sweep with actor=None)."""
    if circumstance not in Circumstance.values:
        raise DomainError(_("失联情形无效。"), code="invalid_circumstance")
    if actor is not None and not has_role_over(actor, member.organisation, BRANCH_STAFF):
        raise PermissionDenied(_("只有本支部的联系人或支部书记可以登记失联案件。"))
    if member.status != MemberStatus.NORMAL:
        raise DomainError(_("该党员党籍状态不是正常，不能登记失联案件。"), code="member_not_normal")
    try:
        with transaction.atomic():
            Member.objects.select_for_update(no_key=True).filter(pk=member.pk).first()
            if (
                Case.objects.filter(member=member)
                .exclude(status__in=[CaseStatus.CLOSED, CaseStatus.WITHDRAWN])
                .exists()
            ):
                raise Conflict(_("该党员已有未结案件，不能重复立案。"), code="case_already_open")
            case = Case.objects.create(
                member=member,
                organisation=member.organisation,
                circumstance=circumstance,
                rule_set=rules_for(timezone.localdate()).code,
                evidence=evidence or {},
                opened_by_id=actor.pk if actor is not None else None,
            )
            record_step(
                case=case,
                actor=actor,
                action="case.open",
                before="",
                after=case.status,
                comment=reason,
                details={"member": member.pk, "circumstance": circumstance},
            )
            hooks.cases_opened.run_now([case.pk], actor)
    except IntegrityError as exc:  # the DB constraint backs the check above
        raise Conflict(_("该党员已有未结案件，不能重复立案。"), code="case_already_open") from exc
    return case


# ---- helpers ----------------------------------------------------------------------------


def _actor_id(actor: Actor) -> int | None:
    return actor.pk if actor is not None and actor.is_authenticated else None


def organisation_ancestors(org: Organisation) -> list[Organisation]:
    """The organisation and its ancestors, nearest first: one query, then kept on the
    instance (a step asks several times: approving committee, issuer, the next task's role)."""
    cached: list[Organisation] | None = getattr(org, "_ancestors_cache", None)
    if cached is None:
        ids = [int(part) for part in org.path.strip("/").split("/") if part]
        found = {o.pk: o for o in Organisation.objects.filter(pk__in=ids)}
        cached = [found[i] for i in reversed(ids) if i in found]
        org._ancestors_cache = cached  # type: ignore[attr-defined]
    return cached


def approving_organisation(org: Organisation) -> Organisation:
    """The nearest organisation at or above `org` with the power to approve dispositions."""
    for candidate in organisation_ancestors(org):
        if candidate.may_approve:
            return candidate
    raise DomainError(_("未找到有审批权的上级党组织。"), code="no_approving_org")


def organisation_department(org: Organisation) -> Organisation:
    """The nearest organisation department (组织部门) above `org`."""
    for candidate in organisation_ancestors(org):
        if candidate.kind == OrgKind.DEPARTMENT:
            return candidate
    raise DomainError(_("未找到上级组织部门。"), code="no_department")


def _proposal(case: Case) -> Proposal:
    if case.current_proposal_id is None:
        raise DomainError(_("本案尚无处置提议。"), code="no_proposal")
    proposal = Proposal.objects.select_for_update().get(pk=case.current_proposal_id)
    case.current_proposal = proposal  # callers after the service (documents) reuse it
    return proposal


def _today(as_of: dt.date | None) -> dt.date:
    return as_of or timezone.localdate()


# ---- search: outreach, located, not located ---------------------------------------------


def case_start_outreach(*, case: Case, actor: Actor) -> Case:
    """The contact officer starts trying to reach the member: registered → outreach."""
    with atomic():
        case = lock_case(case)
        before, after = fire(case, "start_outreach", actor)
        save_case(case)
        record_step(
            case=case, actor=actor, action="case.start_outreach", before=before, after=after
        )
        hooks.case_changed.run_now([case.pk], actor)
    return case


def case_finish_outreach(*, case: Case, actor: Actor, comment: str = "") -> Case:
    """Outreach exhausted without result (policy minimum met): outreach → inquiry."""
    with atomic():
        case = lock_case(case)
        before, after = fire(case, "finish_outreach", actor)
        case.outreach_done_at = timezone.now()
        save_case(case, "outreach_done_at")
        record_step(
            case=case,
            actor=actor,
            action="case.finish_outreach",
            before=before,
            after=after,
            comment=comment,
        )
        hooks.case_changed.run_now([case.pk], actor)
    return case


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
    with atomic():
        case = lock_case(case)
        for talker in (talker1, talker2):
            if talker.pk == case.member_id:
                raise DomainError(_("谈话人不能是本人。"), code="talker_is_member")
            if (
                talker.membership_type != MembershipType.FULL
                or talker.status != MemberStatus.NORMAL
            ):
                raise DomainError(
                    _("谈话人须为党籍正常的正式党员。"), code="talker_not_full_member"
                )
        before, after = fire(case, "mark_located", actor)
        talk = TalkRecord.objects.create(
            case=case,
            talker1=talker1,
            talker2=talker2,
            held_on=held_on,
            content=content,
            recorded_by_id=_actor_id(actor),
        )
        case.located_at = timezone.now()
        save_case(case, "located_at")
        record_step(
            case=case,
            actor=actor,
            action="case.mark_located",
            before=before,
            after=after,
            details={"talk": talk.pk, "held_on": held_on},
        )
        hooks.case_changed.run_now([case.pk], actor)
    return case


def case_mark_not_located(*, case: Case, actor: Actor, comment: str = "") -> Case:
    """The full search failed: minimum outreach done and every inquiry settled."""
    with atomic():
        case = lock_case(case)
        before, after = fire(case, "mark_not_located", actor)
        probationary = case.member.membership_type == MembershipType.PROBATIONARY
        case.suggested_kinds = [
            ProposalKind.ANNUL_PROBATION if probationary else ProposalKind.SUSPEND
        ]
        save_case(case, "suggested_kinds")
        record_step(
            case=case,
            actor=actor,
            action="case.mark_not_located",
            before=before,
            after=after,
            comment=comment,
            details={"suggested": case.suggested_kinds},
        )
        hooks.case_changed.run_now([case.pk], actor)
    return case


def case_assess_cause(*, case: Case, actor: Actor, cause: str, notes: str = "") -> Case:
    """After the talk: objective → back to normal (committee approves); subjective →
    correction; unfit → removal; asks to leave → withdrawal."""
    if cause not in Cause.values:
        raise DomainError(_("失联原因认定无效。"), code="invalid_cause")
    with atomic():
        case = lock_case(case)
        target = CaseStatus.APPROVAL if cause == Cause.OBJECTIVE else CaseStatus.PROPOSAL
        before, after = fire(case, "assess_cause", actor, target=target)
        case.cause = cause
        fields = ["cause", "suggested_kinds"]
        if cause == Cause.OBJECTIVE:
            proposal = Proposal.objects.create(
                case=case,
                kind=ProposalKind.RETURN_TO_NORMAL,
                grounds=[Ground.OBJECTIVE_CAUSE],
                reasons=notes,
                proposed_by_id=_actor_id(actor),
            )
            case.current_proposal = proposal
            case.suggested_kinds = [ProposalKind.RETURN_TO_NORMAL]
            fields.append("current_proposal")
        elif cause == Cause.SUBJECTIVE:
            case.suggested_kinds = [ProposalKind.CORRECTION]
        elif cause == Cause.UNFIT:
            full = case.member.membership_type == MembershipType.FULL
            case.suggested_kinds = [ProposalKind.REMOVE] + ([ProposalKind.PERSUADE] if full else [])
        else:
            case.suggested_kinds = [ProposalKind.WITHDRAWAL]
        save_case(case, *fields)
        record_step(
            case=case,
            actor=actor,
            action="case.assess_cause",
            before=before,
            after=after,
            comment=notes,
            details={"cause": cause, "suggested": case.suggested_kinds},
        )
        hooks.case_changed.run_now([case.pk], actor)
    return case


# ---- the decision path -------------------------------------------------------------------

_DEFAULT_GROUNDS = {
    ProposalKind.SUSPEND: [Ground.LOST_CONTACT],
    ProposalKind.ANNUL_PROBATION: [Ground.LOST_CONTACT],
    ProposalKind.WITHDRAWAL: [Ground.OWN_REQUEST],
    ProposalKind.RESTORE: [Ground.REAPPEARED],
}


def _check_proposal(
    case: Case, kind: str, grounds: list[str], correction_months: int | None
) -> tuple[list[str], int | None]:
    member = case.member
    probationary = member.membership_type == MembershipType.PROBATIONARY
    if kind not in ProposalKind.values or kind == ProposalKind.RETURN_TO_NORMAL:
        raise DomainError(_("处置方式无效。"), code="invalid_kind")
    if kind == ProposalKind.PERSUADE and probationary:
        raise DomainError(_("预备党员不适用劝退。"), code="persuade_probationary")
    if kind == ProposalKind.SUSPEND and probationary:
        raise DomainError(
            _("预备党员查找未果的，应取消其预备党员资格，不适用停止党籍。"),
            code="suspend_probationary",
        )
    if kind == ProposalKind.ANNUL_PROBATION and not probationary:
        raise DomainError(_("只有预备党员才能取消预备党员资格。"), code="annul_full_member")
    if case.suggested_kinds and kind not in case.suggested_kinds:
        allowed = "、".join(str(ProposalKind(k).label) for k in case.suggested_kinds)
        raise DomainError(
            _("本案当前只能提议：%(allowed)s。") % {"allowed": allowed}, code="kind_not_allowed"
        )
    unknown = set(grounds) - set(Ground.values)
    if unknown:
        raise DomainError(_("处置依据无效。"), code="invalid_grounds")
    chosen = list(dict.fromkeys(grounds)) or list(_DEFAULT_GROUNDS.get(ProposalKind(kind), []))
    unqualified = set(chosen) & set(UNQUALIFIED_GROUNDS)
    if kind in (ProposalKind.CORRECTION, ProposalKind.PERSUADE) and not unqualified:
        raise DomainError(_("请至少选择一种不合格党员表现作为处置依据。"), code="grounds_required")
    if kind == ProposalKind.REMOVE and not (unqualified or Ground.SELF_WITHDRAWAL in chosen):
        raise DomainError(_("除名须以不合格党员表现或自行脱党为依据。"), code="grounds_required")
    months = None
    if kind == ProposalKind.CORRECTION:
        rules = rules_by_code(case.rule_set)
        months = correction_months or rules.correction_default_months
        if not 1 <= months <= rules.correction_max_months:
            raise DomainError(
                _("改正期限须在1至%(max)s个月之间。") % {"max": rules.correction_max_months},
                code="correction_months",
            )
    return chosen, months


def case_propose(
    *,
    case: Case,
    actor: Actor,
    kind: str,
    grounds: list[str] | None = None,
    reasons: str = "",
    correction_months: int | None = None,
) -> Case:
    """The branch committee proposes a disposition (or, for restoration, assesses the
    application): proposal / not located → pre-review."""
    with atomic():
        case = lock_case(case)
        before, after = fire(case, "propose", actor)
        chosen, months = _check_proposal(case, kind, grounds or [], correction_months)
        proposal = Proposal.objects.create(
            case=case,
            kind=kind,
            grounds=chosen,
            reasons=reasons,
            correction_months=months,
            proposed_by_id=_actor_id(actor),
        )
        case.current_proposal = proposal
        save_case(case, "current_proposal")
        record_step(
            case=case,
            actor=actor,
            action="case.propose",
            before=before,
            after=after,
            comment=reasons,
            details={"proposal": proposal.pk, "kind": kind, "grounds": chosen},
        )
        hooks.case_changed.run_now([case.pk], actor)
    return case


def _required_levels(kind: str) -> set[str]:
    if kind in (ProposalKind.PERSUADE, ProposalKind.REMOVE):
        return {ReviewLevel.COMMITTEE, ReviewLevel.DEPARTMENT}
    return {ReviewLevel.COMMITTEE}


def case_pre_review(*, case: Case, actor: AbstractBaseUser, comment: str = "") -> Case:
    """Pre-review by the approving committee (and the organisation department for 劝退/除名).
    Moves on once every required level has reviewed: to defence, or to approval for a
    restoration."""
    with atomic():
        case = lock_case(case)
        proposal = _proposal(case)
        required = _required_levels(proposal.kind)
        done = set(
            PreReview.objects.filter(proposal=proposal, is_current=True).values_list(
                "level", flat=True
            )
        )
        level = None
        if ReviewLevel.COMMITTEE not in done and has_role_at(
            actor, approving_organisation(case.organisation), [Role.COMMITTEE_APPROVER]
        ):
            level = ReviewLevel.COMMITTEE
        elif (
            ReviewLevel.DEPARTMENT in required
            and ReviewLevel.DEPARTMENT not in done
            and has_role_at(actor, organisation_department(case.organisation), [Role.COORDINATOR])
        ):
            level = ReviewLevel.DEPARTMENT
        if case.status == CaseStatus.PRE_REVIEW and level is None:
            raise PermissionDenied(_("您不是本案待预审层级的预审人。"))
        remaining = required - done - {level}
        if remaining:
            target = CaseStatus.PRE_REVIEW
        elif proposal.kind == ProposalKind.RESTORE:
            target = CaseStatus.APPROVAL
        else:
            target = CaseStatus.DEFENCE
        before, after = fire(case, "pre_review", actor, target=target)
        assert level is not None
        PreReview.objects.create(
            proposal=proposal, level=level, reviewer_id=actor.pk, comment=comment
        )
        save_case(case)
        record_step(
            case=case,
            actor=actor,
            action="case.pre_review",
            before=before,
            after=after,
            comment=comment,
            details={"proposal": proposal.pk, "level": level},
        )
        hooks.case_changed.run_now([case.pk], actor)
    return case


def case_notify_member(*, case: Case, actor: Actor, notified_on: dt.date) -> Case:
    """The member is told of the proposal and of the right to a defence (申辩)."""
    with atomic():
        case = lock_case(case)
        before, after = fire(case, "notify_member", actor)
        proposal = _proposal(case)
        proposal.notified_on = notified_on
        proposal.defence_until = notified_on + dt.timedelta(
            days=rules_by_code(case.rule_set).defence_days
        )
        proposal.save(update_fields=["notified_on", "defence_until"])
        save_case(case)
        record_step(
            case=case,
            actor=actor,
            action="case.notify_member",
            before=before,
            after=after,
            details={"notified_on": notified_on, "defence_until": proposal.defence_until},
        )
        hooks.case_changed.run_now([case.pk], actor)
    return case


def case_close_defence(
    *, case: Case, actor: Actor, defence_text: str = "", as_of: dt.date | None = None
) -> Case:
    """Record the defence (or its absence once the period is over): defence → meeting."""
    with atomic():
        case = lock_case(case)
        before, after = fire(case, "close_defence", actor)
        proposal = _proposal(case)
        if proposal.notified_on is None or proposal.defence_until is None:
            raise DomainError(_("尚未告知党员本人，不能进入支部大会表决。"), code="not_notified")
        if not defence_text.strip() and _today(as_of) <= proposal.defence_until:
            raise DomainError(
                _("申辩期限（至%(day)s）未满且未收到申辩意见。")
                % {"day": f"{proposal.defence_until:%Y年%m月%d日}"},
                code="defence_period_running",
            )
        proposal.defence_text = defence_text
        proposal.defence_closed_at = timezone.now()
        proposal.save(update_fields=["defence_text", "defence_closed_at"])
        save_case(case)
        record_step(
            case=case,
            actor=actor,
            action="case.close_defence",
            before=before,
            after=after,
            details={"defence_given": bool(defence_text.strip())},
        )
        hooks.case_changed.run_now([case.pk], actor)
    return case


def meeting_outcome(
    *, voting_members: int, present: int, votes_for: int, votes_against: int, abstentions: int
) -> tuple[bool, bool]:
    """(quorate, passed): quorum = more than half of voting members present; passes with
    more than half of all voting members entitled (not of those present)."""
    if voting_members < 1 or min(present, votes_for, votes_against, abstentions) < 0:
        raise DomainError(_("表决人数无效。"), code="invalid_votes")
    if present > voting_members:
        raise DomainError(_("到会人数不能多于有表决权的党员人数。"), code="invalid_votes")
    if votes_for + votes_against + abstentions > present:
        raise DomainError(_("赞成、反对、弃权票数之和不能多于到会人数。"), code="invalid_votes")
    quorate = present * 2 > voting_members
    return quorate, quorate and votes_for * 2 > voting_members


def case_record_meeting(
    *,
    case: Case,
    actor: AbstractBaseUser,
    held_on: dt.date,
    voting_members: int,
    present: int,
    votes_for: int,
    votes_against: int,
    abstentions: int,
) -> Case:
    """The branch general meeting's vote: passed → committee approval; failed → back to
    proposal. A meeting without a quorum is refused and nothing is recorded."""
    quorate, passed = meeting_outcome(
        voting_members=voting_members,
        present=present,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
    )
    with atomic():
        case = lock_case(case)
        target = CaseStatus.APPROVAL if passed else CaseStatus.PROPOSAL
        before, after = fire(case, "record_meeting", actor, target=target)
        if not quorate:
            raise DomainError(_("到会有表决权的党员未超过半数，会议不能表决。"), code="no_quorum")
        proposal = _proposal(case)
        resolution = MeetingResolution.objects.create(
            proposal=proposal,
            held_on=held_on,
            voting_members=voting_members,
            present=present,
            votes_for=votes_for,
            votes_against=votes_against,
            abstentions=abstentions,
            passed=passed,
            recorded_by_id=actor.pk,
        )
        if not passed:
            proposal.status = ProposalStatus.REJECTED
            proposal.save(update_fields=["status"])
        save_case(case)
        record_step(
            case=case,
            actor=actor,
            action="case.record_meeting",
            before=before,
            after=after,
            details={
                "resolution": resolution.pk,
                "voting": voting_members,
                "present": present,
                "for": votes_for,
                "against": votes_against,
                "abstain": abstentions,
                "passed": passed,
            },
        )
        hooks.case_changed.run_now([case.pk], actor)
    return case


def _approver_role(case: Case, proposal: Proposal) -> tuple[Organisation, str]:
    if proposal.kind == ProposalKind.RESTORE:
        return organisation_department(case.organisation), Role.COORDINATOR
    return approving_organisation(case.organisation), Role.COMMITTEE_APPROVER


def approval_seat(case: Case) -> tuple[Organisation, str] | None:
    """Where and in which role the pending proposal of `case` is approved (None without one)."""
    if case.current_proposal_id is None:
        return None
    proposal = Proposal.objects.only("kind").get(pk=case.current_proposal_id)
    return _approver_role(case, proposal)


def _change_approver(
    *, case: Case, actor: AbstractBaseUser, approver: AbstractBaseUser, add: bool
) -> Case:
    with atomic():
        case = lock_case(case)
        before, after = fire(case, "change_approvers", actor)
        proposal = _proposal(case)
        org, role = _approver_role(case, proposal)
        if add:
            if not has_role_at(approver, org, [role]):
                raise DomainError(_("所选人员不是审批组织的审批人。"), code="not_an_approver")
            ApproverAssignment.objects.update_or_create(
                proposal=proposal,
                user_id=approver.pk,
                defaults={"is_active": True, "added_by_id": _actor_id(actor)},
            )
        else:
            changed = ApproverAssignment.objects.filter(
                proposal=proposal, user_id=approver.pk, is_active=True
            ).update(is_active=False)
            if not changed:
                raise DomainError(_("该人员不在审批人名单中。"), code="not_listed")
        save_case(case)
        record_step(
            case=case,
            actor=actor,
            action="case.add_approver" if add else "case.remove_approver",
            before=before,
            after=after,
            details={"approver": approver.pk},
        )
        hooks.case_changed.run_now([case.pk], actor)
    return case


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
    with atomic():
        case = lock_case(case)
        before, after = fire(case, "approve", actor)
        proposal = _proposal(case)
        org, role = _approver_role(case, proposal)
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
        rules = rules_by_code(case.rule_set)
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
                actor_id=_actor_id(actor),
                source="case",
                changes={"status": [status_before, status_after]},
            )
        proposal.status = ProposalStatus.APPROVED
        proposal.save(update_fields=["status"])
        save_case(case, "clock_kind", "clock_due")
        record_step(
            case=case,
            actor=actor,
            action="case.approve",
            before=before,
            after=after,
            comment=comment,
            details={
                "decision": decision.pk,
                "kind": proposal.kind,
                "member_status": [status_before, status_after],
                "clock_due": case.clock_due,
            },
        )
        hooks.case_changed.run_now([case.pk], actor)
    return case


def case_close(*, case: Case, actor: Actor, comment: str = "") -> Case:
    """The decision is served and filed; no clock runs: in force → closed."""
    with atomic():
        case = lock_case(case)
        before, after = fire(case, "close", actor)
        proposal = _proposal(case)
        case.outcome = proposal.kind
        case.closed_at = timezone.now()
        save_case(case, "outcome", "closed_at")
        record_step(
            case=case,
            actor=actor,
            action="case.close",
            before=before,
            after=after,
            comment=comment,
            details={"outcome": case.outcome},
        )
        hooks.case_changed.run_now([case.pk], actor)
    return case


# ---- clocks after a decision ------------------------------------------------------------


def case_review_correction(
    *, case: Case, actor: Actor, corrected: bool, notes: str = "", as_of: dt.date | None = None
) -> Case:
    """Follow-up review when the correction deadline is reached: corrected → closed; not
    corrected → a new proposal (劝退 for full members, or 除名)."""
    with atomic():
        case = lock_case(case)
        if case.clock_kind != ClockKind.CORRECTION or case.clock_due is None:
            raise Conflict(_("本案没有进行中的限期改正。"), code="no_correction_clock")
        if _today(as_of) < case.clock_due:
            raise DomainError(
                _("改正期限至%(day)s，尚未届满。") % {"day": f"{case.clock_due:%Y年%m月%d日}"},
                code="clock_not_due",
            )
        target = CaseStatus.CLOSED if corrected else CaseStatus.PROPOSAL
        before, after = fire(case, "review_correction", actor, target=target)
        case.clock_kind, case.clock_due = ClockKind.NONE, None
        fields = ["clock_kind", "clock_due", "suggested_kinds"]
        if corrected:
            case.outcome = "corrected"
            case.closed_at = timezone.now()
            fields += ["outcome", "closed_at"]
        else:
            full = case.member.membership_type == MembershipType.FULL
            case.suggested_kinds = ([ProposalKind.PERSUADE] if full else []) + [ProposalKind.REMOVE]
        save_case(case, *fields)
        record_step(
            case=case,
            actor=actor,
            action="case.review_correction",
            before=before,
            after=after,
            comment=notes,
            details={"corrected": corrected},
        )
        hooks.case_changed.run_now([case.pk], actor)
    return case


def case_expire_suspension(*, case: Case, as_of: dt.date, actor: Actor = None) -> Case:
    """The timer: suspended and still unreachable after the limit → a removal proposal
    (self-withdrawal, 自行脱党)."""
    with atomic():
        case = lock_case(case)
        if case.clock_kind != ClockKind.SUSPENSION or case.clock_due is None:
            raise Conflict(_("本案没有进行中的停止党籍期限。"), code="no_suspension_clock")
        if as_of < case.clock_due:
            raise DomainError(_("停止党籍期限尚未届满。"), code="clock_not_due")
        before, after = fire(case, "expire_suspension", None)
        case.clock_kind, case.clock_due = ClockKind.NONE, None
        case.suggested_kinds = [ProposalKind.REMOVE]
        save_case(case, "clock_kind", "clock_due", "suggested_kinds")
        record_step(
            case=case,
            actor=actor,
            action="case.expire_suspension",
            before=before,
            after=after,
            details={"as_of": as_of, "suggested": case.suggested_kinds},
        )
        hooks.case_changed.run_now([case.pk], actor)
    return case


def case_apply_for_restoration(
    *, case: Case, actor: Actor, applied_on: dt.date, application: str
) -> Case:
    """A suspended member reappeared within the limit and applies to restore membership."""
    if not application.strip():
        raise DomainError(_("请填写恢复党籍申请内容。"), code="application_required")
    with atomic():
        case = lock_case(case)
        if case.clock_kind != ClockKind.SUSPENSION or case.clock_due is None:
            raise Conflict(_("本案党员未处于停止党籍期间。"), code="not_suspended")
        if applied_on > case.clock_due:
            raise DomainError(
                _("停止党籍已满期限，不能申请恢复党籍。"), code="restoration_too_late"
            )
        before, after = fire(case, "apply_for_restoration", actor)
        case.suggested_kinds = [ProposalKind.RESTORE]
        save_case(case, "suggested_kinds")
        record_step(
            case=case,
            actor=actor,
            action="case.apply_for_restoration",
            before=before,
            after=after,
            comment=application,
            details={"applied_on": applied_on},
        )
        hooks.case_changed.run_now([case.pk], actor)
    return case


# ---- withdraw and send back ---------------------------------------------------------------


def case_withdraw(*, case: Case, actor: AbstractBaseUser, reason_code: str, reason: str) -> Case:
    """Withdraw an open case before a decision: opened in error, deceased, transferred out."""
    if reason_code not in WithdrawReason.values:
        raise DomainError(_("撤销原因无效。"), code="invalid_reason")
    if not reason.strip():
        raise DomainError(_("请填写撤销说明。"), code="reason_required")
    with atomic():
        case = lock_case(case)
        before, after = fire(case, "withdraw", actor)
        member = case.member
        new_status = {
            WithdrawReason.DECEASED: MemberStatus.DECEASED,
            WithdrawReason.TRANSFERRED_OUT: MemberStatus.TRANSFERRED_OUT,
        }.get(WithdrawReason(reason_code))
        if new_status and member.status != new_status:
            MemberChange.objects.create(
                member=member,
                actor_id=_actor_id(actor),
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
        save_case(case, "withdraw_reason", "outcome", "closed_at")
        record_step(
            case=case,
            actor=actor,
            action="case.withdraw",
            before=before,
            after=after,
            comment=reason,
            details={"reason": reason_code},
        )
        hooks.case_changed.run_now([case.pk], actor)
    return case


def case_send_back(*, case: Case, actor: AbstractBaseUser, comment: str) -> Case:
    """A reviewer or approver returns the case to the previous step, with a required
    comment; the step goes back to whoever did it before (recorded as previous owner)."""
    if not comment.strip():
        raise DomainError(_("退回时须填写意见。"), code="comment_required")
    with atomic():
        case = lock_case(case)
        entry = (
            TimelineEntry.objects.filter(case=case, to_status=case.status)
            .exclude(from_status=case.status)
            .exclude(action="case.send_back")
            .order_by("-at", "-id")
            .first()
        )
        if entry is None or not entry.from_status:
            raise Conflict(_("本案当前环节不能退回。"), code="illegal_transition")
        before, after = fire(case, "send_back", actor, target=entry.from_status)
        proposal = _proposal(case)
        if after in (CaseStatus.PROPOSAL, CaseStatus.NOT_LOCATED, CaseStatus.LOCATED):
            proposal.status = ProposalStatus.SENT_BACK
            proposal.save(update_fields=["status"])
            case.current_proposal = None
        if after == CaseStatus.PRE_REVIEW:
            PreReview.objects.filter(proposal=proposal, is_current=True).update(is_current=False)
        save_case(case, "current_proposal")
        record_step(
            case=case,
            actor=actor,
            action="case.send_back",
            before=before,
            after=after,
            comment=comment,
            details={"previous_owner": entry.actor_id, "returned_to": after},
        )
        hooks.case_changed.run_now([case.pk], actor)
    return case
