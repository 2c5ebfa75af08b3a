"""The case flow end to end through the workflow services: tasks follow the case status,
documents are issued at each step, send back returns the task to its previous owner."""

from __future__ import annotations

import pytest

from casework.models import CaseStatus, MemberStatus
from casework.services import inquiries as inq
from casework.services.ledgers import contact_attempt_record
from documents.models import Document
from tests.casework.case_helpers import make_department, talkers
from tests.workflows.flow_helpers import (
    open_case,
    open_nodes,
    open_task,
    propose_to_meeting,
    step,
    today,
)
from workflows import services
from workflows.models import CaseProcess, TaskDue

pytestmark = pytest.mark.django_db


def _attempts(world, case) -> None:
    for channel in ("phone", "relative", "home_visit"):
        contact_attempt_record(
            member=case.member, actor=world.officer, channel=channel, outcome="no_answer", case=case
        )


def _kinds(case) -> list[str]:
    return sorted(Document.objects.filter(case=case).values_list("kind", flat=True))


def test_opening_a_case_starts_a_process_with_an_outreach_task_and_a_register_form(
    world, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED
    assert open_nodes(case) == ["outreach"]
    assert _kinds(case) == ["register_form"]
    due = open_task(case, "outreach")
    assert due.role == "contact_officer" and due.role_organisation == world.branch


def test_located_member_goes_back_to_normal_with_talk_and_decision_documents(
    world, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = step(case, "outreach", world.officer, action="located")
    assert open_nodes(case) == ["talk"]
    a, b = talkers(world)
    case = step(
        case,
        "talk",
        world.officer,
        talker1=a.pk,
        talker2=b.pk,
        held_on=today(),
        content="更换了手机号",
        place="党支部活动室",
        recorder=b.pk,
    )
    assert open_nodes(case) == ["assess_cause"]
    case = step(case, "assess_cause", world.officer, cause="objective")
    assert case.status == CaseStatus.APPROVAL and open_nodes(case) == ["approval"]
    case = step(case, "approval", world.approver, decision="agree")
    assert open_nodes(case) == ["close"]
    case = step(case, "close", world.officer)
    assert case.status == CaseStatus.CLOSED and open_nodes(case) == []
    assert case.member.status == MemberStatus.NORMAL
    assert _kinds(case) == ["dossier", "register_form", "reply", "request", "talk_record"]
    assert CaseProcess.objects.get(case=case).status == "DONE"


def _not_located(world, case):
    _attempts(world, case)
    case = step(case, "outreach", world.officer, action="not_reachable")
    assert open_nodes(case) == ["request_inquiries"]
    department = make_department(world.department)
    case = step(case, "request_inquiries", world.coordinator, departments=[department.pk])
    assert open_nodes(case) == ["wait_inquiries"]
    (inquiry,) = case.inquiries.all()
    assert inquiry.status == "signed"  # the coordinator requests and signs in one step
    inquiry = inq.inquiry_mark_sent(inquiry=inquiry, actor=world.coordinator)
    assert services.inquiry_wait_resume(case_id=case.pk) is False
    inq.inquiry_record_answer(
        inquiry=inquiry, actor=None, answer="not_found", details={}, source="manual"
    )
    assert services.inquiry_wait_resume(case_id=case.pk) is True
    assert open_nodes(case) == ["conclude_search"]
    return step(case, "conclude_search", world.officer, conclusion="not_located")


def _decide(world, case, kind: str, grounds=None):
    case = propose_to_meeting(world, case, kind, grounds)
    case = step(
        case,
        "meeting",
        world.secretary,
        decision="record",
        held_on=today(),
        voting_members=9,
        present=7,
        votes_for=6,
        votes_against=1,
        abstentions=0,
        place="党员活动室",
    )
    assert open_nodes(case) == ["approval"]
    return step(case, "approval", world.approver2, decision="agree")


def test_not_located_member_is_suspended_with_every_document_issued(
    world, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = _not_located(world, case)
    assert case.status == CaseStatus.NOT_LOCATED and open_nodes(case) == ["propose"]
    case = _decide(world, case, "suspend")
    assert case.status == CaseStatus.IN_FORCE
    assert case.member.status == MemberStatus.SUSPENDED
    assert open_nodes(case) == ["restoration", "restoration__timeout"]
    assert _kinds(case) == [
        "approval_form",
        "decision_suspension",
        "defence_notice",
        "delivery_receipt",
        "delivery_receipt",
        "meeting_resolution",
        "register_form",
        "reply",
        "request",
    ]


def test_an_approver_sends_back_and_the_task_returns_to_its_previous_owner(
    world, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = _not_located(world, case)
    case = step(case, "propose", world.secretary, kind="suspend", reasons="研究")
    case = step(
        case, "pre_review", world.approver, decision="send_back", comment="事实不清，请补充"
    )
    assert case.status == CaseStatus.NOT_LOCATED
    due = open_task(case, "propose")
    assert due.owner_id == world.secretary.pk and due.state == "assigned"
    assert open_nodes(case) == ["propose"]


def test_the_flow_refuses_a_send_back_without_a_comment_and_keeps_the_task(
    world, django_capture_on_commit_callbacks
) -> None:
    from casework.errors import InvalidData

    case = open_case(world, django_capture_on_commit_callbacks)
    case = _not_located(world, case)
    case = step(case, "propose", world.secretary, kind="suspend", reasons="研究")
    with pytest.raises(InvalidData) as refused:
        step(case, "pre_review", world.approver, decision="send_back", comment=" ")
    assert "退回时须填写意见" in str(refused.value.errors)
    assert open_nodes(case) == ["pre_review"]
    assert TaskDue.objects.get(case=case, node="pre_review").state == "assigned"


def test_a_restorations_approval_goes_to_the_department_not_the_suspensions_approver(
    world, django_capture_on_commit_callbacks
) -> None:
    """A repeated step goes back to its previous owner only while they hold its seat: the
    committee approver who approved the suspension may not approve the restoration (the
    organisation department does), so the task waits unclaimed in the coordinator's queue."""
    case = open_case(world, django_capture_on_commit_callbacks)
    case = _decide(world, _not_located(world, case), "suspend")
    case = step(
        case, "restoration", world.officer, applied_on=today(), application="本人申请恢复党籍"
    )
    case = step(case, "propose", world.secretary, kind="restore", reasons="考察")
    case = step(case, "pre_review", world.approver, decision="agree")
    due = open_task(case, "approval")
    assert due.owner_id is None and due.state == "open" and due.role == "coordinator"
    case = step(case, "approval", world.coordinator, decision="agree")
    assert case.member.status == MemberStatus.NORMAL and open_nodes(case) == ["close"]
