"""What the case services refuse, and that a refusal writes nothing."""

import pytest
from django.utils import timezone

from casework.errors import Conflict, DomainError, PermissionDenied
from casework.models import (
    ApproverAssignment,
    AuditEvent,
    Case,
    CaseStatus,
    MeetingResolution,
    MemberStatus,
    Role,
    TimelineEntry,
)
from casework.services import cases as svc
from casework.services.organisations import role_assign
from tests.casework.case_helpers import locate, outreach, search_fails
from tests.factories import make_member, make_org, make_user


@pytest.fixture
def case(world):
    return svc.case_open(member=make_member(world.branch), actor=world.officer)


def _to_meeting(world, case, kind="correction", grounds=("slack_work",), proposer=None):
    case = locate(world, case)
    case = svc.case_assess_cause(case=case, actor=world.officer, cause="subjective")
    case = svc.case_propose(
        case=case, actor=proposer or world.officer, kind=kind, grounds=list(grounds)
    )
    case = svc.case_pre_review(case=case, actor=world.approver)
    case = svc.case_notify_member(case=case, actor=world.officer, notified_on=timezone.localdate())
    return svc.case_close_defence(case=case, actor=world.officer, defence_text="我已认识到错误")


def _meeting(case, actor, **votes):
    values = {"voting_members": 9, "present": 7, "votes_for": 6, "votes_against": 1}
    values.update(votes)
    return svc.case_record_meeting(
        case=case, actor=actor, held_on=timezone.localdate(), abstentions=0, **values
    )


def test_a_second_open_case_for_the_same_member_is_refused(world, case) -> None:
    with pytest.raises(Conflict, match="未结案件"):
        svc.case_open(member=case.member, actor=world.officer)
    assert Case.objects.count() == 1


@pytest.mark.parametrize("who", ["inspector", "outsider", "nobody", "approver"])
def test_only_branch_staff_of_the_member_open_and_work_cases(world, who) -> None:
    member = make_member(world.branch)
    with pytest.raises(PermissionDenied):
        svc.case_open(member=member, actor=getattr(world, who))
    case = svc.case_open(member=member, actor=world.officer)
    with pytest.raises(PermissionDenied):
        svc.case_start_outreach(case=case, actor=getattr(world, who))
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REGISTERED


def test_an_illegal_transition_is_a_conflict_and_writes_nothing(world, case) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(Conflict, match="已登记"):
        svc.case_close(case=case, actor=world.officer)
    with pytest.raises(Conflict):
        svc.case_approve(case=case, actor=world.approver)
    assert AuditEvent.objects.count() == events
    assert TimelineEntry.objects.filter(case=case).count() == 1


def test_not_located_needs_the_minimum_outreach_including_relatives(world, case) -> None:
    case = svc.case_start_outreach(case=case, actor=world.officer)
    from casework.services.ledgers import contact_attempt_record

    for channel in ("phone", "phone", "wechat"):
        contact_attempt_record(
            member=case.member, actor=world.officer, channel=channel, outcome="no_answer", case=case
        )
    with pytest.raises(DomainError, match="亲属"):
        svc.case_finish_outreach(case=case, actor=world.officer)


def test_not_located_needs_every_inquiry_settled(world, case) -> None:
    case = outreach(world, case)
    case = svc.case_finish_outreach(case=case, actor=world.officer)
    with pytest.raises(DomainError, match="部门协查"):
        svc.case_mark_not_located(case=case, actor=world.officer)


def test_talkers_must_be_two_distinct_full_members(world, case) -> None:
    case = outreach(world, case)
    probationer = make_member(world.branch, membership_type="probationary")
    full = make_member(world.branch)
    with pytest.raises(DomainError, match="正式党员"):
        svc.case_mark_located(
            case=case,
            actor=world.officer,
            talkers=(full, probationer),
            held_on=timezone.localdate(),
            content="谈话",
        )
    with pytest.raises(DomainError):
        svc.case_mark_located(
            case=case,
            actor=world.officer,
            talkers=(full, full),
            held_on=timezone.localdate(),
            content="谈话",
        )


def test_persuasion_is_refused_for_a_probationary_member(world) -> None:
    member = make_member(world.branch, membership_type="probationary")
    case = svc.case_open(member=member, actor=world.officer)
    case = locate(world, case)
    case = svc.case_assess_cause(case=case, actor=world.officer, cause="unfit")
    assert case.suggested_kinds == ["remove"]
    with pytest.raises(DomainError, match="预备党员不适用劝退"):
        svc.case_propose(case=case, actor=world.officer, kind="persuade", grounds=["slack_work"])


def test_correction_needs_one_of_the_six_unqualified_types(world, case) -> None:
    case = locate(world, case)
    case = svc.case_assess_cause(case=case, actor=world.officer, cause="subjective")
    with pytest.raises(DomainError, match="不合格"):
        svc.case_propose(case=case, actor=world.officer, kind="correction", grounds=[])
    with pytest.raises(DomainError, match="只能提议"):
        svc.case_propose(case=case, actor=world.officer, kind="remove", grounds=["slack_work"])


def test_removal_needs_the_organisation_department_pre_review_too(world, case) -> None:
    case = locate(world, case)
    case = svc.case_assess_cause(case=case, actor=world.officer, cause="unfit")
    case = svc.case_propose(case=case, actor=world.officer, kind="remove", grounds=["misconduct"])
    case = svc.case_pre_review(case=case, actor=world.approver)
    assert case.status == CaseStatus.PRE_REVIEW
    with pytest.raises(PermissionDenied):
        svc.case_pre_review(case=case, actor=world.approver2)  # committee level already done
    case = svc.case_pre_review(case=case, actor=world.coordinator)
    assert case.status == CaseStatus.DEFENCE


def test_the_defence_period_must_run_out_before_the_meeting(world, case) -> None:
    case = locate(world, case)
    case = svc.case_assess_cause(case=case, actor=world.officer, cause="subjective")
    case = svc.case_propose(
        case=case, actor=world.officer, kind="correction", grounds=["weak_purpose"]
    )
    case = svc.case_pre_review(case=case, actor=world.approver)
    with pytest.raises(DomainError, match="告知"):
        svc.case_close_defence(case=case, actor=world.officer)
    today = timezone.localdate()
    case = svc.case_notify_member(case=case, actor=world.officer, notified_on=today)
    with pytest.raises(DomainError, match="申辩期限"):
        svc.case_close_defence(case=case, actor=world.officer, as_of=today)
    case = svc.case_close_defence(
        case=case, actor=world.officer, as_of=today + __import__("datetime").timedelta(days=8)
    )
    assert case.status == CaseStatus.MEETING


@pytest.mark.parametrize(
    ("votes", "message"),
    [
        ({"present": 4, "votes_for": 4, "votes_against": 0}, "未超过半数"),
        ({"present": 10, "votes_for": 6, "votes_against": 1}, "到会人数"),
        ({"present": 7, "votes_for": 6, "votes_against": 3}, "票数之和"),
    ],
)
def test_a_meeting_without_quorum_or_with_bad_figures_is_refused(world, case, votes, message):
    case = _to_meeting(world, case)
    with pytest.raises(DomainError, match=message):
        _meeting(case, world.secretary, **votes)
    assert MeetingResolution.objects.count() == 0
    assert Case.objects.get(pk=case.pk).status == CaseStatus.MEETING


def test_the_majority_counts_all_voting_members_not_those_present(world, case) -> None:
    case = _to_meeting(world, case)
    # 5 of 9 present (quorate); 4 in favour is a majority of those present, not of the 9.
    case = _meeting(case, world.secretary, present=5, votes_for=4, votes_against=1)
    assert case.status == CaseStatus.PROPOSAL
    assert MeetingResolution.objects.get().passed is False


def test_only_the_branch_secretary_records_the_meeting(world, case) -> None:
    case = _to_meeting(world, case)
    with pytest.raises(PermissionDenied):
        _meeting(case, world.officer)


def test_a_temporary_branch_cannot_decide(world) -> None:
    temporary = make_org("临时党支部", "branch", world.general_branch, is_temporary=True)
    officer = make_user("temp_officer", Role.CONTACT_OFFICER, temporary)
    member = make_member(temporary)
    case = svc.case_open(member=member, actor=officer)
    case = search_fails(
        type(
            "W",
            (),
            {"officer": officer, "coordinator": world.coordinator, "department": world.department},
        )(),
        case,
    )
    with pytest.raises(DomainError, match="临时党支部"):
        svc.case_propose(case=case, actor=officer, kind="suspend")


def test_the_proposer_cannot_approve(world, case) -> None:
    dual = make_user("dual", Role.BRANCH_SECRETARY, world.branch)
    role_assign(user=dual, role=Role.COMMITTEE_APPROVER, organisation=world.committee)
    case = _to_meeting(world, case, proposer=dual)
    case = _meeting(case, world.secretary)
    with pytest.raises(PermissionDenied, match="提议人"):
        svc.case_approve(case=case, actor=dual)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.APPROVAL


def test_the_meeting_recorder_cannot_approve(world, case) -> None:
    dual = make_user("dual", Role.BRANCH_SECRETARY, world.branch)
    role_assign(user=dual, role=Role.COMMITTEE_APPROVER, organisation=world.committee)
    case = _to_meeting(world, case)
    case = _meeting(case, dual)
    with pytest.raises(PermissionDenied, match="决议"):
        svc.case_approve(case=case, actor=dual)


def test_approval_needs_the_approver_role_at_the_approving_committee(world, case) -> None:
    other_approver = make_user("other_approver", Role.COMMITTEE_APPROVER, world.other_committee)
    case = _to_meeting(world, case)
    case = _meeting(case, world.secretary)
    for user in (other_approver, world.secretary, world.coordinator, world.inspector):
        with pytest.raises(PermissionDenied):
            svc.case_approve(case=case, actor=user)


def test_named_approvers_can_be_added_and_removed_while_pending(world, case) -> None:
    case = _to_meeting(world, case)
    case = _meeting(case, world.secretary)
    case = svc.case_add_approver(case=case, actor=world.approver, approver=world.approver2)
    with pytest.raises(PermissionDenied, match="名单"):
        svc.case_approve(case=case, actor=world.approver)
    with pytest.raises(DomainError):
        svc.case_add_approver(case=case, actor=world.approver, approver=world.officer)
    case = svc.case_remove_approver(case=case, actor=world.approver, approver=world.approver2)
    assert not ApproverAssignment.objects.filter(is_active=True).exists()
    case = svc.case_approve(case=case, actor=world.approver)
    assert case.status == CaseStatus.IN_FORCE


def test_send_back_returns_to_the_previous_step(world, case) -> None:
    case = _to_meeting(world, case)
    case = _meeting(case, world.secretary)
    with pytest.raises(DomainError, match="意见"):
        svc.case_send_back(case=case, actor=world.approver, comment="")
    with pytest.raises(PermissionDenied):
        svc.case_send_back(case=case, actor=world.officer, comment="退回")
    case = svc.case_send_back(case=case, actor=world.approver, comment="表决人数有误，请核实")
    assert case.status == CaseStatus.MEETING
    entry = TimelineEntry.objects.filter(case=case).last()
    assert entry is not None
    assert entry.details == {"sent_back_from": "approval", "returned_to": "meeting"}
    case = _meeting(case, world.secretary)
    case = svc.case_send_back(case=case, actor=world.approver, comment="再议")
    case = svc.case_send_back(case=case, actor=world.approver, comment="申辩材料不全")
    assert case.status == CaseStatus.DEFENCE
    case = svc.case_send_back(case=case, actor=world.approver, comment="预审意见重议")
    assert case.status == CaseStatus.PRE_REVIEW
    case = svc.case_send_back(case=case, actor=world.approver, comment="提议依据不足")
    assert case.status == CaseStatus.PROPOSAL and case.current_proposal_id is None
    case = svc.case_propose(
        case=case, actor=world.officer, kind="correction", grounds=["misconduct"]
    )
    case = svc.case_pre_review(case=case, actor=world.approver2)
    assert case.status == CaseStatus.DEFENCE


def test_withdrawing_needs_a_known_reason_and_an_explanation(world, case) -> None:
    with pytest.raises(DomainError):
        svc.case_withdraw(case=case, actor=world.secretary, reason_code="bored", reason="x")
    with pytest.raises(DomainError):
        svc.case_withdraw(case=case, actor=world.secretary, reason_code="deceased", reason=" ")
    with pytest.raises(PermissionDenied):
        svc.case_withdraw(
            case=case, actor=world.officer, reason_code="opened_in_error", reason="误"
        )
    case = svc.case_withdraw(
        case=case, actor=world.secretary, reason_code="opened_in_error", reason="重复登记"
    )
    assert case.member.status == MemberStatus.NORMAL
    # a withdrawn case no longer blocks a new one
    svc.case_open(member=case.member, actor=world.officer)
