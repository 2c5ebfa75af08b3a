"""Completing a human task of the case flow: the one path for the task page, the API, the
demo seeder and the tests.

`task_complete(task_id=, user=, data=)` takes the step's *cleaned* form data;
`task_complete_with_data(...)` takes raw data (as posted, or JSON from the API), validates it
with the step's form (InvalidData with field errors, 400) and completes. `task_form(...)` is
the step's form for a task, bound to its case and user. Everything runs in one transaction
under the process lock: the holder is checked, the step's `apply` calls its one casework
service, the step's documents are issued, the task is closed and the next one created. The
loser of a race gets Conflict (409); domain errors roll everything back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from casework import hooks
from casework.errors import Conflict, DomainError, InvalidData, NotFound, PermissionDenied
from casework.models import Case
from casework.seats import seat_held_by
from casework.services.transitions import case_row_held
from casework.transactions import one_transaction
from workflows.case.documents import issue_step_documents
from workflows.case.lock import process_and_case_lock
from workflows.case.nodes import flush_finished
from workflows.case.steps import Route, Step, step_named
from workflows.selectors import task_with_case_for_user
from workflows.services.processes import busy, process_id_of


@dataclass(frozen=True)
class StepDone:
    """What a completion did: the case as the step left it and the route it took."""

    case: Case
    route: Route

    @property
    def completed(self) -> bool:
        """False for Route.STAY: something was recorded and the task stays open."""
        return self.route is not Route.STAY


def step_of_task(task: Task) -> Step:
    step = step_named(task.flow_task.name)
    if step is None:  # a timer or a wait: nobody completes it by hand
        raise DomainError(_("该环节不能手工办理。"), code="not_a_human_step")
    return step


def _check_holder(task: Task, user: AbstractBaseUser, step: Step) -> None:
    if task.status in (STATUS.DONE, STATUS.CANCELED):
        raise Conflict(_("该任务已办结（可能已由他人办理），请刷新待办。"), code="task_done")
    if task.owner_id == user.pk:
        return
    if task.owner_id is not None:
        raise Conflict(_("该任务已由他人认领办理。"), code="task_taken")
    seat = step.seat(task.process.caseprocess.case)
    if not seat_held_by(seat, user.pk):
        raise PermissionDenied(_("您无权办理该任务。"))  # a reader: may see, may never claim
    raise Conflict(_("请先认领该任务再办理。"), code="not_claimed")


def task_complete(
    *,
    task_id: int,
    user: AbstractBaseUser,
    data: Mapping[str, Any],
    process_id: int | None = None,
) -> StepDone:
    """Do the task's step with its form's cleaned `data` as `user`, who must hold the task."""
    pid = process_id if process_id is not None else process_id_of(task_id)
    try:
        # one statement reads and locks the process, the task and the case (whose row the
        # step's service then uses as it is: case_row_held)
        with process_and_case_lock(task_id, pid) as task, one_transaction():
            if task is None:
                raise NotFound(_("任务不存在。"))
            step = step_of_task(task)
            _check_holder(task, user, step)
            route = step.choose(data)
            case = task.process.caseprocess.case
            if route is Route.STAY:
                with case_row_held(case):
                    return StepDone(step.apply(case, user, data), route)
            activation = task.flow_task.activation_class(task)
            activation.start(None)
            with hooks.case_changed.handled_by_caller() as changed, case_row_held(case):
                case = step.apply(case, user, data)
            activation.case, activation.case_is_fresh = case, True
            task.data = {**task.data, "route": route.value}
            issue_step_documents(issues=step.documents_for(case, route), case=case, actor=user)
            activation.execute()  # the task is done; the flow creates the next one
            flush_finished(activation)
            # a side step leaves the main path behind: it follows the case as after any
            # change outside the flow (workflows.services.processes.case_flow_follow)
            hooks.case_changed.run_now([i for i in changed if step.side or i != case.pk], user)
    except FlowLockFailed as exc:
        raise busy() from exc
    return StepDone(case, route)


def task_step(*, task_id: int, user: AbstractBaseUser) -> Step:
    """The declared step of a task in the user's scope (NotFound otherwise; DomainError for a
    wait or timer): `.form` is its form class, `.title`, `.seat`, `.routes` …"""
    row = task_with_case_for_user(user=user, task_id=task_id)
    step = step_named(row.node)
    if step is None:
        raise DomainError(_("该环节不能手工办理。"), code="not_a_human_step")
    return step


def task_form(*, task_id: int, user: AbstractBaseUser, data: Any = None) -> forms.Form:
    """The step's form for a task in the user's scope (NotFound otherwise), built for its case
    and user (choices such as talkers and departments depend on them); bound to `data` when
    given."""
    row = task_with_case_for_user(user=user, task_id=task_id)
    step = step_named(row.node)
    if step is None:
        raise DomainError(_("该环节不能手工办理。"), code="not_a_human_step")
    return step.form_for(case=row.case, user=user, data=data)


def task_complete_with_data(
    *, task_id: int, user: AbstractBaseUser, data: Mapping[str, Any]
) -> StepDone:
    """Validate raw form `data` with the task's step form, then complete the task.

    `data` maps field names to values as the task page would post them (strings, or lists
    for multiple choices; ids for model choices; dates as ISO strings or dates)."""
    form = task_form(task_id=task_id, user=user, data=data)
    if not form.is_valid():
        errors = {
            "non_field_errors" if key == "__all__" else key: [str(e["message"]) for e in errs]
            for key, errs in form.errors.get_json_data().items()
        }
        raise InvalidData(_("提交的数据有误。"), errors=errors)
    return task_complete(task_id=task_id, user=user, data=form.cleaned_data)
