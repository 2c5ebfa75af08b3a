"""The case's process: start it, and make its open tasks follow the case.

The flow moves in one way: after a node finishes (a human step, the inquiry wait, a timer)
or the case changed outside the flow, `next_activation` creates the task of the node
`CaseFlow.route` names for the case status. A completed step moves on from its own task
(workflows.services.tasks); a transition made anywhere else reaches `case_flow_follow`
through casework's `case_changed` hook, which cancels the open tasks the status no longer
allows and creates the step it calls for, routed from the last cancelled task.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from casework.errors import Conflict, NotFound
from casework.models import CLOSED_STATUSES, Case
from casework.services.transitions import status_label
from workflows.case.nodes import next_activation
from workflows.invariants import steps_match_status
from workflows.models import CaseProcess
from workflows.services.events import task_audit, task_event

log = logging.getLogger(__name__)

# Tasks waiting for someone or something (a human step, the inquiry wait, a timer).
WAITING = (STATUS.NEW, STATUS.ASSIGNED, STATUS.SCHEDULED)
FINISHED = (STATUS.DONE, STATUS.CANCELED, STATUS.REVIVED)


def case_flow() -> Any:
    from workflows.case.flows import CaseFlow

    return CaseFlow


def busy() -> Conflict:
    return Conflict(_("该任务正由他人办理，请稍后重试。"), code="locked")


def process_id_of(task_id: int) -> int:
    rows = Task.objects.filter(pk=task_id).values_list("process_id", flat=True).order_by()
    pid = next(iter(rows), None)  # one row by primary key: no ORDER BY, no LIMIT
    if pid is None:
        raise NotFound(_("任务不存在。"))
    return pid


def locked_task(task_id: int, process_id: int | None = None) -> Task:
    """The task with its process and case loaded; call under the flow lock."""
    try:
        task = Task.objects.select_related(
            "process__caseprocess__case__member", "process__caseprocess__case__organisation"
        ).get(pk=task_id)
    except Task.DoesNotExist as exc:
        raise NotFound(_("任务不存在。")) from exc
    if process_id is not None and task.process_id != process_id:
        raise NotFound(_("任务不存在。"))
    return task


# ---- start ------------------------------------------------------------------------------


def process_start_for_case(*, case_id: int) -> Any:
    """Start the case flow for an open case; idempotent (one process per case)."""
    from workflows.case.documents import issue_step_documents, pick_opening

    existing = CaseProcess.objects.filter(case_id=case_id).first()
    if existing is not None:
        return existing
    case = Case.objects.select_related("organisation").filter(pk=case_id).first()
    if case is None or not case.is_open:
        return None
    try:
        with transaction.atomic():
            process = case_flow().start.run(case_id=case_id)
            process_case = Case.objects.select_related("member", "organisation").get(pk=case_id)
            issue_step_documents(issues=pick_opening(process_case), case=process_case, actor=None)
    except IntegrityError:  # a concurrent start won
        return CaseProcess.objects.filter(case_id=case_id).first()
    return process


# ---- the flow follows a case changed outside it ------------------------------------------


def case_flow_follow(case_ids: list[int], actor: Any = None) -> None:
    """Registered in casework.hooks.case_changed; runs inside the transition's transaction.

    A transition made outside the flow (withdrawal from the case page, a send back, a close
    through the API, a timer) leaves the flow's open tasks behind. Then: a closed case gets
    every open task cancelled (with its queue row) and its process cancelled; an open case
    whose open step no longer fits its status gets it cancelled and the step the status calls
    for created. Each cancelled task is a TaskEvent and an audit event. (A flow step takes
    care of its own changes: casework.hooks `handled_by_caller`.)"""
    for case_id in case_ids:
        follow_case(case_id, actor)


def follow_case(case_id: int, actor: Any) -> int:
    """Make the case's open tasks match its status; the number of tasks cancelled."""
    pid = CaseProcess.objects.filter(case_id=case_id).values_list("pk", flat=True).first()
    if pid is None:
        return 0
    flow_class = case_flow()
    try:
        with flow_class.lock(pid):
            tasks = list(
                Task.objects.filter(process_id=pid)
                .exclude(status__in=FINISHED)
                .select_related("process")
                .order_by("pk")
            )
            if not tasks or any(t.status not in WAITING for t in tasks):
                return 0  # nothing waiting, or a step is running / failed: the flow decides
            case = Case.objects.select_related("member", "organisation").get(pk=case_id)
            nodes = [t.flow_task.name for t in tasks]
            if case.is_open and steps_match_status(case.status, nodes):
                return 0
            reason = str(_("案件已转入“%(status)s”环节") % {"status": status_label(case.status)})
            activations = []
            for task in tasks:
                activation = task.flow_task.activation_class(task)
                activation.cancel()
                activations.append(activation)
                task_event(task, case_id, "cancel", actor, comment=reason)
                task_audit(
                    "task.cancel",
                    task,
                    case,
                    actor,
                    {"node": task.flow_task.name, "status": task.status},
                    {"status": STATUS.CANCELED, "case_status": case.status},
                    reason,
                )
            process = tasks[0].process
            if case.status in CLOSED_STATUSES:
                process.status = PROCESS.CANCELED
                process.finished = timezone.now()
                process.save(update_fields=["status", "finished"])
            else:
                steps = [a for a in activations if not a.flow_task.name.endswith("__timeout")]
                previous = (steps or activations)[-1]
                previous.case, previous.case_is_fresh = case, True
                created = next_activation(previous)
                if created is not None:
                    previous._activate_next({created})
            return len(tasks)
    except FlowLockFailed as exc:
        raise busy() from exc


def closed_case_tasks_sweep() -> int:
    """Safety net: cancel tasks still open on closed or withdrawn cases (e.g. closed before
    the hook existed, or by a direct database fix). Returns the number of tasks cancelled."""
    case_ids = set(
        Task.objects.filter(
            status__in=WAITING, process__caseprocess__case__status__in=CLOSED_STATUSES
        ).values_list("process__caseprocess__case_id", flat=True)
    )
    cancelled = 0
    for case_id in sorted(case_ids):
        try:
            with transaction.atomic():
                cancelled += follow_case(case_id, None)
        except Conflict:
            log.info("case %s busy; its tasks are cancelled on the next sweep", case_id)
    return cancelled
