"""Queues: claim, release, reassign, bulk reassign (with refusals), selectors with constant
query counts, reminders and escalation, timers fired with a moved clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from casework.errors import Conflict, DomainError, NotFound, PermissionDenied
from casework.models import AuditEvent, CaseStatus, ClockKind, Role
from casework.services import cases as svc
from casework.services.organisations import role_assign
from tests.factories import make_user
from tests.workflows.flow_helpers import (
    locate_and_assess,
    open_case,
    open_nodes,
    open_task,
    propose_to_meeting,
    step,
    today,
)
from workflows import selectors, services
from workflows.models import TaskDue, TaskEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world, django_capture_on_commit_callbacks):
    return open_case(world, django_capture_on_commit_callbacks)


def test_an_officer_claims_from_the_group_queue_and_it_moves_to_the_inbox(world, case) -> None:
    due = open_task(case, "outreach")
    assert [r.task_id for r in selectors.task_group_queue_for_user(user=world.officer)] == [
        due.task_id
    ]
    services.task_claim(task_id=due.task_id, user=world.officer)
    assert list(selectors.task_group_queue_for_user(user=world.officer)) == []
    rows: list[Any] = list(selectors.task_inbox_for_user(user=world.officer))
    (row,) = rows
    assert row.task_id == due.task_id and row.case.member.name and not row.is_overdue
    assert AuditEvent.objects.filter(action="task.claim").count() == 1


def test_a_second_claim_is_a_conflict(world, case) -> None:
    officer2 = make_user("officer2", Role.CONTACT_OFFICER, world.branch)
    due = open_task(case, "outreach")
    services.task_claim(task_id=due.task_id, user=world.officer)
    with pytest.raises(Conflict):
        services.task_claim(task_id=due.task_id, user=officer2)


def test_claiming_without_the_role_is_refused_and_out_of_scope_is_not_found(world, case) -> None:
    due = open_task(case, "outreach")
    with pytest.raises(PermissionDenied):
        services.task_claim(task_id=due.task_id, user=world.approver)
    with pytest.raises(NotFound):
        services.task_claim(task_id=due.task_id, user=world.outsider)
    with pytest.raises(NotFound):
        selectors.task_get_for_user(user=world.outsider, task_id=due.task_id)


def test_release_puts_the_task_back_and_only_the_holder_may_release(world, case) -> None:
    due = open_task(case, "outreach")
    services.task_claim(task_id=due.task_id, user=world.officer)
    with pytest.raises((PermissionDenied, NotFound)):
        services.task_release(task_id=due.task_id, user=world.secretary)
    services.task_release(task_id=due.task_id, user=world.officer)
    assert TaskDue.objects.get(pk=due.pk).state == "open"


def test_reassign_to_a_colleague_without_the_role_is_refused(world, case) -> None:
    due = open_task(case, "outreach")
    services.task_claim(task_id=due.task_id, user=world.officer)
    with pytest.raises(DomainError):
        services.task_reassign(task_id=due.task_id, actor=world.officer, to=world.approver)
    officer2 = make_user("officer2", Role.CONTACT_OFFICER, world.branch)
    services.task_reassign(task_id=due.task_id, actor=world.officer, to=officer2, reason="出差")
    assert TaskDue.objects.get(pk=due.pk).owner_id == officer2.pk


def test_bulk_reassign_moves_every_open_task_of_an_absent_officer_audited(
    world, django_capture_on_commit_callbacks
) -> None:
    officer2 = make_user("officer2", Role.CONTACT_OFFICER, world.branch)
    cases = [open_case(world, django_capture_on_commit_callbacks) for _ in range(3)]
    for c in cases:
        services.task_claim(task_id=open_task(c, "outreach").task_id, user=world.officer)
    with pytest.raises(NotFound):
        services.tasks_bulk_reassign(
            actor=world.outsider, absent=world.officer, to=officer2, reason="病假"
        )
    with pytest.raises(DomainError):
        services.tasks_bulk_reassign(
            actor=world.secretary, absent=world.officer, to=officer2, reason=""
        )
    moved = services.tasks_bulk_reassign(
        actor=world.secretary, absent=world.officer, to=officer2, reason="病假"
    )
    assert len(moved) == 3
    assert TaskDue.objects.filter(owner_id=officer2.pk, state="assigned").count() == 3
    assert AuditEvent.objects.filter(action="task.bulk_reassign").count() == 3
    assert TaskEvent.objects.filter(action="bulk_reassign", target_id=officer2.pk).count() == 3


def test_queue_selectors_run_one_query_whatever_the_size(
    world, django_capture_on_commit_callbacks, django_assert_max_num_queries
) -> None:
    for _ in range(4):
        c = open_case(world, django_capture_on_commit_callbacks)
        services.task_claim(task_id=open_task(c, "outreach").task_id, user=world.officer)
    open_case(world, django_capture_on_commit_callbacks)
    for selector, user in (
        (selectors.task_inbox_for_user, world.officer),
        (selectors.task_group_queue_for_user, world.officer),
        (selectors.task_approval_queue_for_user, world.approver),
        (selectors.task_archive_for_user, world.officer),
    ):
        user = type(user).objects.get(pk=user.pk)  # no cached roles
        with django_assert_max_num_queries(2):
            rows: list[Any] = list(selector(user=user))
            cells = [
                (
                    row.case.member.name,
                    row.organisation.name,
                    row.case.status,
                    row.since_contact,
                    row.due_at,
                    row.is_overdue,
                    row.case.member.key_groups,
                    row.owner,
                )
                for row in rows
            ]
            assert len(cells) == len(rows)


def test_queue_pages_render_with_a_constant_number_of_queries(
    world, client, django_capture_on_commit_callbacks, django_assert_max_num_queries
) -> None:
    for _ in range(5):
        c = open_case(world, django_capture_on_commit_callbacks)
        services.task_claim(task_id=open_task(c, "outreach").task_id, user=world.officer)
    client.force_login(world.officer)
    with django_assert_max_num_queries(12):
        response = client.get("/queues/")
    assert response.status_code == 200
    assert response.content.decode().count("data-task=") == 5


def test_reminder_before_and_escalation_after_the_due_date(world, case, mailoutbox) -> None:
    world.secretary.email = "sec@example.org"
    world.secretary.save()
    due = open_task(case, "outreach")
    services.task_claim(task_id=due.task_id, user=world.officer)
    counts = services.task_deadlines_sweep(now=due.due_at - dt.timedelta(days=1))
    assert counts["reminded"] == 1
    counts = services.task_deadlines_sweep(now=due.due_at + dt.timedelta(hours=1))
    assert counts["secretary"] == 1
    row = TaskDue.objects.get(pk=due.pk)
    assert row.escalation == 1 and row.reminded_at is not None
    counts = services.task_deadlines_sweep(now=due.due_at + dt.timedelta(days=31))
    assert counts["committee"] == 1
    assert list(
        TaskEvent.objects.filter(case=case).values_list("action", flat=True).order_by("id")
    )[-3:] == ["remind", "escalate_secretary", "escalate_committee"]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch):
    """Move django.utils.timezone.now (and so localdate) to a given moment."""

    def move_to(moment: dt.datetime) -> None:
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)

    return move_to


def _to_in_force(world, case, kind):
    from tests.workflows.test_case_flow import _decide, _not_located

    if kind == "suspend":
        case = _not_located(world, case)
        return _decide(world, case, "suspend")
    case = locate_and_assess(world, case)
    case = _decide(world, case, "correction", ["slack_work"])
    return step(case, "serve_decision", world.officer, served_on=today(), how="in_person")


def test_the_correction_timer_fires_a_review_task_when_the_deadline_is_reached(
    world, case, clock
) -> None:
    case = _to_in_force(world, case, "correction")
    assert case.clock_kind == ClockKind.CORRECTION and open_nodes(case) == ["correction_wait"]
    call_command("workflow_timers")
    assert open_nodes(case) == ["correction_wait"]
    clock(timezone.make_aware(dt.datetime.combine(case.clock_due, dt.time(9))))
    call_command("workflow_timers")
    assert open_nodes(case) == ["correction_review"]
    case = step(
        case,
        "correction_review",
        world.officer,
        corrected="1",
        notes="按月参加组织生活，补交了党费",
    )
    assert case.status == CaseStatus.CLOSED and open_nodes(case) == []


def test_suspension_expires_after_24_months_into_a_removal_proposal(world, case, clock) -> None:
    case = _to_in_force(world, case, "suspend")
    clock(timezone.make_aware(dt.datetime.combine(case.clock_due, dt.time(9))))
    call_command("workflow_timers")
    case.refresh_from_db()
    assert case.status == CaseStatus.PROPOSAL and case.suggested_kinds == ["remove"]
    assert open_nodes(case) == ["propose"]
    assert TaskDue.objects.get(case=case, node="restoration").state == "canceled"


def test_roles_in_the_subtree_see_claimable_tasks(world, case) -> None:
    officer_at_general = make_user("gb_officer")
    role_assign(
        user=officer_at_general, role=Role.CONTACT_OFFICER, organisation=world.general_branch
    )
    assert selectors.task_group_queue_for_user(user=officer_at_general).count() == 1
    assert selectors.task_group_queue_for_user(user=world.outsider).count() == 0


def _to_approval(world, case, recorder):
    """Propose (the secretary), pre-review, notice, defence, meeting recorded by `recorder`."""
    from tests.workflows.flow_helpers import today
    from tests.workflows.test_case_flow import _not_located

    case = _not_located(world, case)
    case = propose_to_meeting(world, case)
    case = step(
        case,
        "meeting",
        recorder,
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
    return case


def test_four_eyes_the_proposer_and_the_meeting_recorder_are_not_offered_the_approval(
    world, case, client
) -> None:
    recorder = make_user("recorder", Role.BRANCH_SECRETARY, world.branch)
    for user in (world.secretary, recorder):  # both could otherwise approve at the committee
        role_assign(user=user, role=Role.COMMITTEE_APPROVER, organisation=world.committee)
    case = _to_approval(world, case, recorder)
    approval = open_task(case, "approval")

    for selector in (selectors.task_approval_queue_for_user, selectors.task_group_queue_for_user):
        assert list(selector(user=world.approver2).values_list("pk", flat=True)) == [approval.pk]
        for user in (world.secretary, recorder):
            assert not selector(user=user).filter(pk=approval.pk).exists()
            assert not selector(user=user, rows=False).filter(pk=approval.pk).exists()
    client.force_login(world.secretary)
    assert f'data-task="{approval.pk}"' not in client.get("/queues/approvals/").content.decode()
    client.force_login(world.approver2)
    assert f'data-task="{approval.pk}"' in client.get("/queues/approvals/").content.decode()
    # the service refuses them anyway: the queue only stops offering what would be refused
    with pytest.raises(PermissionDenied):
        svc.case_approve(case=case, actor=recorder)
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVAL
