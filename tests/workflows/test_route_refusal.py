"""Issue 16: the approving organ refuses (不予批准) — a reply with its reason, the case back to
the branch or closed, a refused restoration back to the suspension and its clock — and the
failed meeting vote. Every step through the flow's tasks, acting users picked by seat."""

from __future__ import annotations

import datetime as dt

import pytest

from casework.errors import Conflict, DomainError, InvalidData, PermissionDenied
from casework.models import (
    CaseStatus,
    ClockKind,
    MemberStatus,
    Proposal,
    ProposalKind,
    ProposalStatus,
)
from casework.services import cases as svc
from tests.workflows.flow_helpers import locate_and_assess, open_case, open_nodes, step, today
from tests.workflows.route_helpers import (
    MEETING_PASSES,
    act,
    approve,
    kinds,
    last_document,
    not_located,
    text_of,
    to_approval,
)
from workflows.models import TaskDue

pytestmark = pytest.mark.django_db


def _suspended(world, django_capture_on_commit_callbacks):
    case = open_case(world, django_capture_on_commit_callbacks)
    case = to_approval(world, not_located(world, case), "suspend")
    return approve(case, world, decision="agree")


def test_the_committee_refuses_a_suspension_and_the_branch_studies_it_again(
    world, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = to_approval(world, not_located(world, case), "suspend")
    case = approve(case, world, decision="refuse", then="branch", comment="查找工作不充分")
    assert case.status == CaseStatus.PROPOSAL and open_nodes(case) == ["propose"]
    assert case.member.status == MemberStatus.NORMAL
    assert (case.clock_kind, case.clock_due) == (ClockKind.NONE, None)
    refused = Proposal.objects.get(case=case)
    assert refused.status == ProposalStatus.REFUSED and case.current_proposal_id is None
    reply = text_of(last_document(case, "reply"))
    assert "不同意" in reply and "查找工作不充分" in reply and "另行研究" in reply
    assert "decision_suspension" not in kinds(case)
    # the branch proposes again: a new proposal, the whole path again
    case = to_approval(world, case, "suspend")
    case = approve(case, world, decision="agree")
    assert case.member.status == MemberStatus.SUSPENDED


def test_a_refusal_for_a_found_member_may_close_the_case(
    world, django_capture_on_commit_callbacks
) -> None:
    case = locate_and_assess(world, open_case(world, django_capture_on_commit_callbacks))
    case = to_approval(world, case, "correction", ["slack_work"])
    case = approve(case, world, decision="refuse", then="close", comment="情节轻微，批评教育即可")
    assert case.status == CaseStatus.CLOSED and case.outcome == "refused"
    assert open_nodes(case) == [] and case.member.status == MemberStatus.NORMAL
    reply = text_of(last_document(case, "reply"))
    assert "不同意" in reply and "情节轻微" in reply and "教育管理" in reply


def test_a_refusal_is_refused_without_reason_by_the_wrong_seat_or_closing_a_lost_case(
    world, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = to_approval(world, not_located(world, case), "suspend")
    with pytest.raises(InvalidData) as no_reason:
        approve(case, world, decision="refuse", then="branch", comment=" ")
    assert "不予批准须写明理由" in str(no_reason.value.errors)
    with pytest.raises(DomainError) as lost:
        approve(case, world, decision="refuse", then="close", comment="理由")
    assert lost.value.code == "refuse_close_not_located"
    # the proposer (four-eyes) and a branch officer may not refuse
    case.refresh_from_db()
    with pytest.raises(PermissionDenied):
        svc.case_refuse(case=case, actor=world.secretary, reason="理由")
    with pytest.raises(PermissionDenied):
        svc.case_refuse(case=case, actor=world.officer, reason="理由")
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVAL and open_nodes(case) == ["approval"]
    # refused once: a second refusal is out of order
    case = approve(case, world, decision="refuse", then="branch", comment="理由")
    with pytest.raises(Conflict):
        svc.case_refuse(case=case, actor=world.approver2, reason="再次")


def test_a_refused_restoration_returns_to_the_suspension_and_its_two_year_clock(
    world, django_capture_on_commit_callbacks
) -> None:
    case = _suspended(world, django_capture_on_commit_callbacks)
    suspension_due = case.clock_due
    case = act(case, "restoration", applied_on=today(), application="本人申请恢复党籍")
    case = act(case, "propose", kind="restore", reasons="考察")
    case = act(case, "pre_review", decision="agree")
    assert TaskDue.objects.get(case=case, node="approval", state="open").role == "coordinator"
    # a restoration under way cannot be withdrawn (the member would stay suspended for ever)
    with pytest.raises(Conflict) as withdrawn:
        svc.case_withdraw(
            case=case, actor=world.secretary, reason_code="opened_in_error", reason="误"
        )
    assert withdrawn.value.code == "decision_in_force"
    case = approve(case, world, decision="refuse", comment="考察期表现不符合恢复条件")
    assert case.status == CaseStatus.IN_FORCE
    assert (case.clock_kind, case.clock_due) == (ClockKind.SUSPENSION, suspension_due)
    assert case.member.status == MemberStatus.SUSPENDED
    assert open_nodes(case) == ["restoration", "restoration__timeout"]
    reply = last_document(case, "reply")
    assert reply.issuer == world.department
    text = text_of(reply)
    assert "不同意恢复" in text and "停止党籍的决定继续有效" in text
    # the two years run out: the timer proposes removal as self-withdrawal
    case = svc.case_expire_suspension(case=case, as_of=suspension_due + dt.timedelta(days=1))
    assert case.status == CaseStatus.PROPOSAL
    assert case.suggested_kinds == [ProposalKind.REMOVE]


def test_a_failed_vote_says_so_and_sends_the_case_back_to_the_branch(
    world, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = not_located(world, case)
    case = act(case, "propose", kind="suspend", reasons="经支委会研究")
    case = act(case, "pre_review", decision="agree")
    case = act(case, "notice", notified_on=today(), how="family")
    case = act(case, "defence", defence_text="无异议")
    failed = {**MEETING_PASSES, "held_on": today(), "votes_for": 4, "votes_against": 3}
    case = act(case, "meeting", **failed)
    assert case.status == CaseStatus.PROPOSAL and open_nodes(case) == ["propose"]
    assert Proposal.objects.get(case=case).status == ProposalStatus.REJECTED
    assert case.member.status == MemberStatus.NORMAL
    text = text_of(last_document(case, "meeting_resolution"))
    assert "提议未获通过" in text and "获得通过" not in text
    assert "request" not in kinds(case)
    # out of order: the meeting's task is gone; completing it again is refused
    with pytest.raises(Exception):  # noqa: B017 - no open meeting task
        step(case, "meeting", world.secretary, **failed)


def test_the_correction_period_runs_from_service_not_from_approval(
    world, django_capture_on_commit_callbacks
) -> None:
    """Bug 5 of issue 16: 自本决定送达之日起 — the decision's service (送达) is recorded and the
    correction clock starts on that day."""
    case = locate_and_assess(world, open_case(world, django_capture_on_commit_callbacks))
    case = step(
        case,
        "propose",
        world.secretary,
        kind="correction",
        grounds=["slack_work"],
        correction_months=6,
        reasons="经支委会研究",
    )
    case = act(case, "pre_review", decision="agree")
    case = act(case, "notice", notified_on=today(), how="family")
    case = act(case, "defence", defence_text="无异议")
    case = act(case, "meeting", **{**MEETING_PASSES, "held_on": today()})
    case = approve(case, world, decision="agree")
    assert case.status == CaseStatus.IN_FORCE and case.member.status == MemberStatus.NORMAL
    assert (case.clock_kind, case.clock_due) == (ClockKind.CORRECTION, None)
    assert open_nodes(case) == ["serve_decision"]
    assert "自本决定送达之日起计算" in text_of(last_document(case, "decision_correction"))
    with pytest.raises(DomainError) as future:
        act(case, "serve_decision", served_on=today() + dt.timedelta(days=1), how="in_person")
    assert future.value.code == "served_in_future"
    served_on = today()
    case = act(case, "serve_decision", served_on=served_on, how="family")
    from casework.models import Decision
    from casework.policy import add_months

    assert case.clock_due == add_months(served_on, 6)
    decision = Decision.objects.get(case=case)
    assert (decision.served_on, decision.served_how, decision.clock_due) == (
        served_on,
        "family",
        case.clock_due,
    )
    assert open_nodes(case) == ["correction_wait"]
    with pytest.raises(Conflict):  # served once
        svc.case_record_service(case=case, actor=world.officer, served_on=served_on, how="post")


def _persuaded(world, django_capture_on_commit_callbacks):
    case = open_case(world, django_capture_on_commit_callbacks)
    case = locate_and_assess(world, case, cause="unfit")
    case = to_approval(world, case, "persuade", ["weak_purpose"])
    case = approve(case, world, decision="agree")
    assert case.member.status == MemberStatus.PERSUADED_OUT
    assert open_nodes(case) == ["persuasion_outcome"]
    return case


def test_persuaded_and_withdrawn_the_case_closes(world, django_capture_on_commit_callbacks):
    case = _persuaded(world, django_capture_on_commit_callbacks)
    case = act(case, "persuasion_outcome", withdrew="1", on=today(), notes="本人递交退党申请")
    assert case.status == CaseStatus.CLOSED and case.outcome == ProposalKind.PERSUADE
    assert open_nodes(case) == [] and "dossier" in kinds(case)


def test_persuaded_but_refusing_the_branch_meeting_removes_and_the_committee_approves(
    world, django_capture_on_commit_callbacks
) -> None:
    """劝而不退 → 除名 (Party Constitution art. 9)."""
    case = _persuaded(world, django_capture_on_commit_callbacks)
    with pytest.raises(DomainError):
        act(
            case,
            "persuasion_outcome",
            withdrew="0",
            on=today() + dt.timedelta(days=1),
            notes="坚持不退",
        )
    case = act(case, "persuasion_outcome", withdrew="0", on=today(), notes="经劝告仍坚持不退党")
    assert case.status == CaseStatus.PROPOSAL and case.suggested_kinds == [ProposalKind.REMOVE]
    with pytest.raises(DomainError):  # only removal may be proposed now
        act(case, "propose", kind="correction", grounds=["slack_work"], reasons="研究")
    case = to_approval(world, case, "remove", ["weak_purpose"])
    case = approve(case, world, decision="agree")
    assert case.member.status == MemberStatus.REMOVED
    assert open_nodes(case) == ["close"]
    text = text_of(last_document(case, "decision_removal_persuaded"))
    assert "仍坚持不退党" in text and "决定给予" in text and "除名处置" in text
    assert "decision_removal" not in kinds(case)
    case = act(case, "close", comment="归档")
    assert case.status == CaseStatus.CLOSED and case.outcome == ProposalKind.REMOVE


def test_withdrawal_at_the_members_request_is_filed_without_approval_or_defence(
    world, django_capture_on_commit_callbacks
) -> None:
    """退党: the branch meeting announces the removal and files it with the committee (备案):
    no pre-review, no notice and defence, no approval step."""
    case = open_case(world, django_capture_on_commit_callbacks)
    case = locate_and_assess(world, case, cause="asks_to_leave")
    case = act(case, "propose", kind="withdrawal", reasons="本人书面要求退党")
    assert case.status == CaseStatus.MEETING and open_nodes(case) == ["meeting"]
    case = act(case, "meeting", **{**MEETING_PASSES, "held_on": today()})
    assert case.status == CaseStatus.IN_FORCE and open_nodes(case) == ["close"]
    assert case.member.status == MemberStatus.WITHDREW
    assert not TaskDue.objects.filter(case=case, node__in=["pre_review", "approval", "notice"])
    documents = kinds(case)
    assert "filing_report" in documents and "request" not in documents
    assert "defence_notice" not in documents and "reply" not in documents
    resolution = text_of(last_document(case, "meeting_resolution"))
    assert "退党" in resolution and "备案" in resolution
    assert "备案" in text_of(last_document(case, "filing_report"))
    case = act(case, "close", comment="归档")
    assert case.status == CaseStatus.CLOSED and case.outcome == ProposalKind.WITHDRAWAL


def test_a_withdrawal_the_meeting_rejects_goes_back_to_the_branch(
    world, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = locate_and_assess(world, case, cause="asks_to_leave")
    case = act(case, "propose", kind="withdrawal", reasons="本人书面要求退党")
    failed = {**MEETING_PASSES, "held_on": today(), "votes_for": 3, "votes_against": 4}
    case = act(case, "meeting", **failed)
    assert case.status == CaseStatus.PROPOSAL and open_nodes(case) == ["propose"]
    assert case.member.status == MemberStatus.NORMAL
