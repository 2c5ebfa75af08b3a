"""The one path to complete a task from form data (task page, API, seeder, tests):
`task_step` / `task_form` give the step and its form, `task_complete_with_data` validates with
the step's form and applies the step; refusals are domain errors."""

from __future__ import annotations

import pytest

from casework.errors import Conflict, InvalidData, NotFound, PermissionDenied
from casework.models import CaseStatus, ContactAttempt
from tests.workflows.flow_helpers import open_case, open_nodes, open_task
from workflows import services
from workflows.case.forms import OutreachForm
from workflows.case.steps import Route

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world, django_capture_on_commit_callbacks):
    return open_case(world, django_capture_on_commit_callbacks)


def test_the_step_and_its_form_for_a_task(world, case) -> None:
    due = open_task(case, "outreach")
    step = services.task_step(task_id=due.task_id, user=world.officer)
    assert step.name == "outreach" and step.form is OutreachForm
    form = services.task_form(task_id=due.task_id, user=world.officer, data={"action": "x"})
    assert isinstance(form, OutreachForm) and not form.is_valid()
    with pytest.raises(NotFound):
        services.task_step(task_id=due.task_id, user=world.outsider)


def test_a_missing_or_out_of_scope_task_is_not_found_for_the_form_and_the_queue_actions(
    world, case
) -> None:
    due = open_task(case, "outreach")
    missing = due.task_id + 10_000
    with pytest.raises(NotFound):
        services.task_form(task_id=due.task_id, user=world.outsider)
    with pytest.raises(NotFound):
        services.task_form(task_id=missing, user=world.officer)
    with pytest.raises(NotFound):  # the claim's lock finds no process: nothing locked
        services.task_claim(task_id=missing, user=world.officer)
    with pytest.raises(NotFound):
        services.task_claim(task_id=due.task_id, user=world.outsider)
    with pytest.raises(NotFound):
        services.task_release(task_id=missing, user=world.officer)
    assert open_task(case, "outreach").state == "open"


def test_bad_data_is_refused_with_field_errors_and_nothing_changes(world, case) -> None:
    due = open_task(case, "outreach")
    services.task_claim(task_id=due.task_id, user=world.officer)
    with pytest.raises(InvalidData) as refused:
        services.task_complete_with_data(
            task_id=due.task_id, user=world.officer, data={"action": "record"}
        )
    assert "non_field_errors" in refused.value.errors
    assert open_nodes(case) == ["outreach"] and not ContactAttempt.objects.exists()


def test_who_may_not_complete_is_told_why(world, case) -> None:
    due = open_task(case, "outreach")
    data = {"action": "located"}
    with pytest.raises(PermissionDenied):  # a reader: may see the task, may never claim it
        services.task_complete_with_data(task_id=due.task_id, user=world.inspector, data=data)
    with pytest.raises(Conflict) as unclaimed:
        services.task_complete_with_data(task_id=due.task_id, user=world.officer, data=data)
    assert unclaimed.value.code == "not_claimed"


def test_a_recorded_attempt_keeps_the_task_open_and_starts_outreach(world, case) -> None:
    due = open_task(case, "outreach")
    services.task_claim(task_id=due.task_id, user=world.officer)
    data = {"action": "record", "channel": "phone", "outcome": "no_answer"}
    done = services.task_complete_with_data(task_id=due.task_id, user=world.officer, data=data)
    assert done.route is Route.STAY and not done.completed
    assert done.case.status == CaseStatus.OUTREACH
    assert open_task(case, "outreach").task_id == due.task_id
    assert ContactAttempt.objects.get().case_id == case.pk
    done = services.task_complete_with_data(
        task_id=due.task_id, user=world.officer, data={"action": "located"}
    )
    assert done.route is Route.TALK and done.completed and open_nodes(case) == ["talk"]
