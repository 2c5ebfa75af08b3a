"""The decision path: proposal, pre-review, notice and defence, the branch general meeting."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.access import has_role_at
from casework.caserules import member_reachable, track_kinds
from casework.errors import DomainError, PermissionDenied
from casework.models import (
    UNQUALIFIED_GROUNDS,
    Case,
    CaseStatus,
    CaseTrack,
    ClockKind,
    Ground,
    MeetingResolution,
    MembershipType,
    PreReview,
    Proposal,
    ProposalKind,
    ProposalStatus,
    ServiceMethod,
)
from casework.policy import rules_of_case
from casework.seats import pending_pre_reviews, pre_review_level_seat
from casework.services.cases.approval import put_in_force
from casework.services.transitions import Actor, actor_id, case_transition, locked_proposal

_DEFAULT_GROUNDS = {
    ProposalKind.SUSPEND: [Ground.LOST_CONTACT],
    ProposalKind.ANNUL_PROBATION: [Ground.LOST_CONTACT],
    ProposalKind.WITHDRAWAL: [Ground.OWN_REQUEST],
    ProposalKind.RESTORE: [Ground.REAPPEARED],
}


_TRACK_GROUND = {
    CaseTrack.SELF_WITHDRAWAL: Ground.SELF_WITHDRAWAL,
    CaseTrack.ABROAD: Ground.ABROAD,
}


def _check_track(case: Case, kind: str, grounds: list[str]) -> list[str]:
    """A case on its own track (issue 16) takes the one outcome its rule gives, on its
    ground: 自行脱党 → removal (除名), abroad five years or more → suspension (停止党籍). The
    abroad ground belongs to its track only. Returns the grounds (the track's by default)."""
    allowed = track_kinds(case)
    ground = _TRACK_GROUND.get(CaseTrack(case.track))
    if ground is None:
        if Ground.ABROAD in grounds:
            raise DomainError(
                _("“出国（境）定居或学习五年以上”只适用于出国（境）党员的停止党籍案件。"),
                code="ground_not_on_track",
            )
        return grounds
    if kind not in allowed:
        names = "、".join(str(ProposalKind(k).label) for k in allowed)
        raise DomainError(
            _("本案为“%(track)s”案件，只能提议：%(allowed)s。")
            % {"track": CaseTrack(case.track).label, "allowed": names},
            code="kind_not_on_track",
        )
    chosen = list(dict.fromkeys(grounds)) or [ground]
    if ground not in chosen:
        raise DomainError(
            _("本案的处置依据须包括“%(ground)s”。") % {"ground": ground.label},
            code="ground_not_on_track",
        )
    return chosen


def _check_proposal(
    case: Case, kind: str, grounds: list[str], correction_months: int | None
) -> tuple[list[str], int | None]:
    grounds = _check_track(case, kind, grounds)
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
    if kind == ProposalKind.RESTORE and (
        ProposalKind.RESTORE not in case.suggested_kinds or case.clock_kind != ClockKind.SUSPENSION
    ):
        # the restoration's documents cite the member's application: without one the
        # decision could not be written (and nobody asked to be restored)
        raise DomainError(
            _("党员未在停止党籍期间提出恢复党籍申请，不能提议恢复党籍。"),
            code="restoration_not_applied",
        )
    if kind == ProposalKind.WITHDRAWAL and case.located_at is None:
        # 退党 is the member's own request: a member never found cannot have made it
        raise DomainError(
            _("党员尚未找到，无从确认本人提出退党要求，不能提议退党。"),
            code="member_not_located",
        )
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
    if case.located_at is not None and (
        kind == ProposalKind.SUSPEND or Ground.LOST_CONTACT in chosen
    ):
        # the decision would say the member "至今仍无法取得联系" (still unreachable) and cite a
        # search that found them: a false record. A refusal sends a found member's case back
        # to the branch with any kind open, so this is where it is refused.
        raise DomainError(
            _("党员已找到，不能提议停止党籍，也不能以“与党组织失去联系”为处置依据。"),
            code="member_located",
        )
    months = None
    if kind == ProposalKind.CORRECTION:
        rules = rules_of_case(case)
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
    application): proposal / not located → pre-review. 退党 at the member's own request has no
    pre-review and no defence: straight to the branch general meeting."""
    with case_transition(case, actor) as t:
        own_request = kind == ProposalKind.WITHDRAWAL
        t.fire("propose", target=CaseStatus.MEETING if own_request else CaseStatus.PRE_REVIEW)
        chosen, months = _check_proposal(t.case, kind, grounds or [], correction_months)
        proposal = Proposal.objects.create(
            case=t.case,
            kind=kind,
            grounds=chosen,
            reasons=reasons,
            correction_months=months,
            proposed_by_id=actor_id(actor),
            proposed_in=t.before,
        )
        t.case.current_proposal = proposal
        t.save("current_proposal")
        t.note(comment=reasons, details={"proposal": proposal.pk, "kind": kind, "grounds": chosen})
    return t.case


def case_pre_review(*, case: Case, actor: AbstractBaseUser, comment: str = "") -> Case:
    """Pre-review by the approving committee (and the organisation department for 劝退/除名).
    The actor reviews the first pending level whose seat they hold (casework.seats). Moves
    on once every required level has reviewed: to defence, or to approval for a
    restoration."""
    with case_transition(case, actor) as t:
        proposal = locked_proposal(t.case)
        pending = pending_pre_reviews(t.case, proposal)
        level = None
        for candidate in pending:
            seat = pre_review_level_seat(t.case, candidate)
            if has_role_at(actor, seat.organisation, [seat.role]):
                level = candidate
                break
        if t.case.status == CaseStatus.PRE_REVIEW and level is None:
            raise PermissionDenied(_("您不是本案待预审层级的预审人。"))
        remaining = [candidate for candidate in pending if candidate != level]
        if remaining:
            target = CaseStatus.PRE_REVIEW
        elif proposal.kind == ProposalKind.RESTORE:
            target = CaseStatus.APPROVAL
        else:
            target = CaseStatus.DEFENCE
        t.fire("pre_review", target=target)
        assert level is not None
        PreReview.objects.create(
            proposal=proposal, level=level, reviewer_id=actor.pk, comment=comment
        )
        t.note(comment=comment, details={"proposal": proposal.pk, "level": level})
    return t.case


_NOTICE_BY_PUBLICATION = (ProposalKind.SUSPEND, ProposalKind.ANNUL_PROBATION)


def case_notify_member(*, case: Case, actor: Actor, notified_on: dt.date, how: str = "") -> Case:
    """The member is told of the proposal and of the right to a defence (申辩): in person,
    through the family or by post; a member who cannot be found, by public notice (公告),
    which counts as served when its publication period ends (the defence period follows).
    No method given: in person (only for a member who was found)."""
    how = how or ServiceMethod.IN_PERSON
    if how not in ServiceMethod.values:
        raise DomainError(_("告知方式无效。"), code="invalid_notice_method")
    if notified_on > timezone.localdate():
        raise DomainError(_("告知日期不能晚于今天。"), code="notified_in_future")
    with case_transition(case, actor) as t:
        t.fire("notify_member")
        proposal = locked_proposal(t.case)
        rules = rules_of_case(t.case)
        if how == ServiceMethod.IN_PERSON and not member_reachable(t.case):
            raise DomainError(
                _("党员尚未找到，不能直接告知本人，请选择公告、家属代收或邮寄。"),
                code="member_not_located",
            )
        served_on, published_on = notified_on, None
        if how == ServiceMethod.PUBLIC_NOTICE:
            if proposal.kind not in _NOTICE_BY_PUBLICATION or member_reachable(t.case):
                raise DomainError(
                    _("公告只用于查找未果、拟停止党籍或取消预备党员资格的党员。"),
                    code="public_notice_not_applicable",
                )
            published_on = notified_on
            served_on = notified_on + dt.timedelta(days=rules.public_notice_days)
        proposal.notified_on = served_on
        proposal.notice_how = how
        proposal.notice_published_on = published_on
        proposal.defence_until = served_on + dt.timedelta(days=rules.defence_days)
        proposal.save(
            update_fields=["notified_on", "notice_how", "notice_published_on", "defence_until"]
        )
        t.note(
            details={
                "notified_on": served_on,
                "how": how,
                "published_on": published_on,
                "defence_until": proposal.defence_until,
            }
        )
    return t.case


def case_close_defence(
    *, case: Case, actor: Actor, defence_text: str = "", as_of: dt.date | None = None
) -> Case:
    """Record the defence (or its absence once the period is over): defence → meeting."""
    with case_transition(case, actor) as t:
        t.fire("close_defence")
        proposal = locked_proposal(t.case)
        if proposal.notified_on is None or proposal.defence_until is None:
            raise DomainError(_("尚未告知党员本人，不能进入支部大会表决。"), code="not_notified")
        if not defence_text.strip() and (as_of or timezone.localdate()) <= proposal.defence_until:
            raise DomainError(
                _("申辩期限（至%(day)s）未满且未收到申辩意见。")
                % {"day": f"{proposal.defence_until:%Y年%m月%d日}"},
                code="defence_period_running",
            )
        proposal.defence_text = defence_text
        proposal.defence_closed_at = timezone.now()
        proposal.save(update_fields=["defence_text", "defence_closed_at"])
        t.note(details={"defence_given": bool(defence_text.strip())})
    return t.case


def _is_withdrawal(case: Case) -> bool:
    return Proposal.objects.filter(
        pk=case.current_proposal_id or 0, kind=ProposalKind.WITHDRAWAL
    ).exists()


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
    place: str = "",
) -> Case:
    """The branch general meeting's vote: passed → committee approval (退党: the meeting's
    resolution is in force and filed with the committee, 备案); failed → back to proposal. A
    meeting without a quorum is refused and nothing is recorded."""
    quorate, passed = meeting_outcome(
        voting_members=voting_members,
        present=present,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
    )
    with case_transition(case, actor) as t:
        filed = _is_withdrawal(t.case)
        target = CaseStatus.APPROVAL if passed else CaseStatus.PROPOSAL
        if passed and filed:
            target = CaseStatus.IN_FORCE
        t.fire("record_meeting", target=target)
        if not quorate:
            raise DomainError(_("到会有表决权的党员未超过半数，会议不能表决。"), code="no_quorum")
        proposal = locked_proposal(t.case)
        resolution = MeetingResolution.objects.create(
            proposal=proposal,
            held_on=held_on,
            place=place.strip(),
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
        decision = None
        if passed and filed:
            decision = put_in_force(t.case, proposal, actor, str(_("支部大会决定，报上级党委备案")))
            t.save("clock_kind", "clock_due")
        t.note(
            details={
                "resolution": resolution.pk,
                "voting": voting_members,
                "present": present,
                "for": votes_for,
                "against": votes_against,
                "abstain": abstentions,
                "passed": passed,
                **({"decision": decision.pk, "filed": True} if decision else {}),
            }
        )
    return t.case
