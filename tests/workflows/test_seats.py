"""Who may act on a task is decided by casework (casework.seats), asked by the flow for every
task: the department's pre-review of a 劝退/除名 proposal is offered to the organisation
department's coordinators, and a task returns to its previous owner only while they still
hold its seat."""

from __future__ import annotations

import pytest

from casework.errors import PermissionDenied
from casework.models import CaseStatus, MemberStatus, Role, RoleAssignment
from tests.workflows.flow_helpers import (
    locate_and_assess,
    notice_and_defence,
    open_case,
    open_nodes,
    open_task,
    seat_holder,
    step,
    step_by_seat,
    today,
)
from workflows import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["persuade", "remove"])
def test_a_persuasion_or_removal_is_pre_reviewed_by_the_committee_then_the_department(
    world, django_capture_on_commit_callbacks, kind
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = locate_and_assess(world, case, cause="unfit")
    case = step_by_seat(case, "propose", kind=kind, grounds=["slack_work"], reasons="经支委会研究")

    committee = open_task(case, "pre_review")
    assert (committee.role, committee.role_organisation) == (
        Role.COMMITTEE_APPROVER,
        world.committee,
    )
    case = step_by_seat(case, "pre_review", decision="agree", comment="同意")
    assert case.status == CaseStatus.PRE_REVIEW and open_nodes(case) == ["pre_review"]

    department = open_task(case, "pre_review")
    assert department.task_id != committee.task_id
    assert (department.role, department.role_organisation) == (Role.COORDINATOR, world.department)
    assert department.owner_id is None and department.state == "open"  # not the approver's
    with pytest.raises(PermissionDenied):
        services.task_claim(task_id=department.task_id, user=world.approver)
    assert seat_holder(department) == world.coordinator
    case = step_by_seat(case, "pre_review", decision="agree", comment="组织部门同意")
    assert case.status == CaseStatus.DEFENCE and open_nodes(case) == ["notice"]

    case = notice_and_defence(world, case)
    case = step_by_seat(
        case,
        "meeting",
        decision="record",
        place="党员活动室",
        held_on=today(),
        voting_members=9,
        present=8,
        votes_for=7,
        votes_against=1,
        abstentions=0,
    )
    approval = open_task(case, "approval")
    approver = seat_holder(approval, exclude=(world.secretary,))
    case = step(case, "approval", approver, decision="agree")
    case.member.refresh_from_db()
    expected = MemberStatus.PERSUADED_OUT if kind == "persuade" else MemberStatus.REMOVED
    after = "persuasion_outcome" if kind == "persuade" else "close"  # did they withdraw?
    assert case.member.status == expected and open_nodes(case) == [after]


def test_a_sent_back_step_returns_to_its_previous_owner_only_while_they_hold_the_seat(
    world, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = locate_and_assess(world, case, cause="subjective")
    case = step_by_seat(case, "propose", kind="correction", grounds=["slack_work"], reasons="研究")
    case = step_by_seat(case, "pre_review", decision="send_back", comment="事实不清")
    assert open_task(case, "propose").owner_id == world.secretary.pk  # still their seat

    case = step(
        case,
        "propose",
        world.secretary,
        kind="correction",
        grounds=["slack_work"],
        reasons="补充事实",
    )
    RoleAssignment.objects.filter(user=world.secretary, role=Role.BRANCH_SECRETARY).update(
        is_active=False
    )
    case = step_by_seat(case, "pre_review", decision="send_back", comment="仍不清楚")
    again = open_task(case, "propose")
    assert again.owner_id is None and again.state == "open"  # to the queue, not to them
    assert (again.role, again.role_organisation) == (Role.BRANCH_SECRETARY, world.branch)
