"""A case changed outside its flow (withdrawn, sent back from the case page, closed through a
service) takes the flow with it: open tasks are cancelled in the same transaction (queue rows
too, each audited), a closed case's process is cancelled, an open case gets the step its
status calls for. A sweep catches closed cases whose tasks were left open."""

from __future__ import annotations

import pytest
from django.db import transaction
from viewflow.workflow.status import PROCESS

from casework import hooks
from casework.errors import PermissionDenied
from casework.models import AuditEvent, Case, CaseStatus, TimelineEntry
from casework.services import cases as svc
from tests.workflows.flow_helpers import (
    locate_and_assess,
    open_case,
    open_nodes,
    open_task,
    step,
)
from workflows import selectors, services
from workflows.invariants import open_tasks_match_status
from workflows.models import CaseProcess, TaskDue, TaskEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world, django_capture_on_commit_callbacks):
    return open_case(world, django_capture_on_commit_callbacks)


def _withdraw(world, case, code: str = "opened_in_error") -> Case:
    return svc.case_withdraw(case=case, actor=world.secretary, reason_code=code, reason="误登记")


def test_withdrawing_cancels_the_open_task_its_queue_row_and_the_process(world, case) -> None:
    due = open_task(case, "outreach")
    services.task_claim(task_id=due.task_id, user=world.officer)
    assert len(selectors.task_inbox_for_user(user=world.officer)) == 1
    case = _withdraw(world, case, "deceased")
    assert case.status == CaseStatus.WITHDRAWN
    assert open_nodes(case) == []
    due.refresh_from_db()
    assert due.state == "canceled" and due.finished_at is not None
    assert list(selectors.task_inbox_for_user(user=world.officer)) == []
    assert list(selectors.task_group_queue_for_user(user=world.officer)) == []
    assert CaseProcess.objects.get(case=case).status == PROCESS.CANCELED
    event = AuditEvent.objects.get(action="task.cancel")
    assert event.actor_id == world.secretary.pk
    assert event.after["case"] == case.pk and event.after["case_status"] == "withdrawn"
    assert TaskEvent.objects.filter(task_id=due.task_id, action="cancel").exists()
    assert open_tasks_match_status(case.pk)


def test_a_refused_withdrawal_leaves_the_tasks_alone(world, case) -> None:
    with pytest.raises(PermissionDenied):
        svc.case_withdraw(
            case=case, actor=world.officer, reason_code="opened_in_error", reason="误"
        )
    assert open_nodes(case) == ["outreach"]
    assert not AuditEvent.objects.filter(action="task.cancel").exists()


def test_the_cancellation_rolls_back_with_the_withdrawal(world, case) -> None:
    def boom(case_ids, actor):
        raise RuntimeError("later hook failed")

    hooks.case_changed.register(boom)
    try:
        with pytest.raises(RuntimeError):
            _withdraw(world, case)
    finally:
        hooks.case_changed.unregister(boom)
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED and open_nodes(case) == ["outreach"]
    assert TaskDue.objects.get(case=case).state == "open"


def test_a_task_page_of_a_withdrawn_case_refuses_clearly(world, client, case) -> None:
    due = open_task(case, "outreach")
    client.force_login(world.officer)
    assert client.post(f"/workflows/task/{due.task_id}/claim/").status_code == 302
    url = f"/workflows/{due.task.process_id}/outreach/{due.task_id}/execute/"
    assert client.get(url).status_code == 200
    _withdraw(world, case)
    inbox = client.get("/queues/")
    assert inbox.status_code == 200 and case.member.name not in inbox.content.decode()
    response = client.post(url, {"action": "located"})
    assert response.status_code in (404, 409)
    assert open_nodes(case) == []


def _to_pre_review(world, case) -> Case:
    case = locate_and_assess(world, case)
    return step(
        case, "propose", world.secretary, kind="correction", grounds=["slack_work"], reasons="研究"
    )


def test_withdrawing_during_the_decision_path_cancels_the_review_task(world, case) -> None:
    case = _to_pre_review(world, case)
    assert open_nodes(case) == ["pre_review"]
    case = _withdraw(world, case, "transferred_out")
    assert open_nodes(case) == [] and open_tasks_match_status(case.pk)
    assert TaskDue.objects.get(case=case, node="pre_review").state == "canceled"
    assert case.member.status == "transferred_out"


def test_a_send_back_from_the_case_page_moves_the_task_back_to_its_previous_owner(
    world, client, case
) -> None:
    case = _to_pre_review(world, case)
    client.force_login(world.approver)
    response = client.post(f"/cases/{case.pk}/send-back/", {"comment": "事实不清，请补充"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.PROPOSAL
    assert open_nodes(case) == ["propose"] and open_tasks_match_status(case.pk)
    due = open_task(case, "propose")
    assert due.owner_id == world.secretary.pk and due.state == "assigned"
    assert TaskDue.objects.get(case=case, node="pre_review").state == "canceled"


def test_a_step_done_outside_the_flow_when_the_task_still_fits_keeps_the_task(world, case) -> None:
    due = open_task(case, "outreach")
    svc.case_start_outreach(case=case, actor=world.officer)
    assert open_task(case, "outreach").task_id == due.task_id
    assert not AuditEvent.objects.filter(action="task.cancel").exists()


def test_the_sweep_cancels_tasks_left_open_on_closed_cases(world, case) -> None:
    hooks.case_changed.unregister(services.case_flow_follow)
    try:
        _withdraw(world, case)
    finally:
        hooks.case_changed.register(services.case_flow_follow)
    assert open_nodes(case) == ["outreach"]
    from workflows.tasks import fire_workflow_timers

    fire_workflow_timers()
    assert open_nodes(case) == [] and open_tasks_match_status(case.pk)
    assert AuditEvent.objects.filter(action="task.cancel", actor__isnull=True).count() == 1
    assert services.closed_case_tasks_sweep() == 0


def test_every_withdrawal_step_is_in_one_transaction(world, case) -> None:
    with transaction.atomic():
        _withdraw(world, case)
        assert open_nodes(case) == []
    assert TimelineEntry.objects.filter(case=case, action="case.withdraw").count() == 1


def test_closing_outside_the_flow_cancels_the_running_correction_timer(world, case) -> None:
    import datetime as dt

    from tests.workflows.test_queues import _to_in_force

    case = _to_in_force(world, case, "correction")
    assert open_nodes(case) == ["correction_wait"]
    case = svc.case_review_correction(
        case=case,
        actor=world.officer,
        corrected=True,
        as_of=case.clock_due + dt.timedelta(days=1),
    )
    assert case.status == CaseStatus.CLOSED
    assert open_nodes(case) == [] and open_tasks_match_status(case.pk)
    assert CaseProcess.objects.get(case=case).status == PROCESS.CANCELED
