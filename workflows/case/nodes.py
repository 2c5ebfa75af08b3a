"""Node types of the case flow — the one place where viewflow's internals are overridden.

The case status (casework, django-fsm) is the single source of truth. After every node the
flow asks `CaseFlow.route(activation)` which node comes next, and creates exactly that one
task: no intermediate Switch/If rows, so a human-task completion writes the finished task,
the next task, its `previous` link and its `TaskDue` row and nothing else. The overrides:

- `create_next` (RoutedActivationMixin): the routed node instead of a fixed `.Next()`; the
  same `next_activation` creates the step after a change outside the flow (services).
- `_outgoing` (RoutedNodeMixin): the chart's edges, from the step's declared routes.
- `CaseStepActivation.create/complete/cancel`: the task's `TaskDue` queue row is written when
  the task is created (its seat, asked of casework; owner pre-assigned only while they still
  hold the seat) and closed when it finishes or is cancelled.
- `CaseStep.view_path` and the `can_*` checks: our generic step view does its own scope check
  and claims go through workflows.services (locks, audit).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.urls import path
from django.utils import timezone
from viewflow import this
from viewflow.utils import is_owner
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.base import Edge
from viewflow.workflow.models import Process
from viewflow.workflow.nodes.end import EndActivation
from viewflow.workflow.nodes.func import FunctionActivation
from viewflow.workflow.nodes.handle import HandleActivation
from viewflow.workflow.nodes.start import StartHandleActivation
from viewflow.workflow.nodes.timer import TimerActivation
from viewflow.workflow.nodes.view import ViewActivation
from viewflow.workflow.signals import task_finished
from viewflow.workflow.status import PROCESS, STATUS

from casework import combined_writes
from casework.access import has_role_over
from casework.models import Proposal
from casework.seats import Seat, seat_held_by
from workflows.case.steps import Step
from workflows.models import TaskDue, TaskState

# task.data key: {human step name: owner id} of the case's completed human steps, carried
# from each task to the next so that a step sent back (or repeated) is offered to whoever did
# it last time without a query — if they still hold its seat. Missing on tasks created before
# it existed: then ask TaskDue.
DONE_BY = "done_by"


def done_by(activation: Any) -> dict[str, int | None] | None:
    """Who completed each human step before (and including) `activation`'s task; None when
    unknown."""
    if isinstance(activation, StartHandleActivation):
        return {}
    carried = (activation.task.data or {}).get(DONE_BY)
    if carried is None:
        return None
    if activation.task.status == STATUS.DONE and isinstance(activation.flow_task, CaseStep):
        return {**carried, activation.flow_task.name: activation.task.owner_id}
    return dict(carried)


def next_task_data(activation: Any) -> dict[str, Any] | None:
    """The data a task created after `activation` starts with."""
    owners = done_by(activation)
    return None if owners is None else {DONE_BY: owners}


def next_activation(activation: Any) -> Any | None:
    """Create the task of the node the flow routes to after `activation` (None at the end)."""
    node = activation.flow_class.instance.route(activation)
    if node is None or not isinstance(node, (CaseStep, CaseEnd)):
        flush_finished(activation)  # other nodes read the finished task's row
    if node is None:
        return None
    return node._create(activation, activation.task.token, data=next_task_data(activation))


# A finished human task's writes (its row and its queue row) wait on the activation until
# the next task is created, and go in the same statement (casework.combined_writes).
PENDING = "finish_writes"


def flush_finished(activation: Any) -> None:
    """Send a finished task's writes if they still wait (no next human task took them)."""
    writes = activation.__dict__.pop(PENDING, None)
    if writes:
        combined_writes.run(writes)


def _task_row(task: Any) -> combined_writes.Write:
    """The UPDATE `task.save()` sends."""
    names = [f.name for f in task._meta.local_concrete_fields if not f.primary_key]
    return combined_writes.update_fields(task, names)


class RoutedActivationMixin:
    """create_next asks the flow for the one next node instead of a fixed `.Next()`."""

    @Activation.status.transition(source=STATUS.DONE)
    def create_next(self) -> Any:
        created = next_activation(self)
        if created is not None:
            yield created


class RoutedNodeMixin:
    """Declares the possible next nodes (for the chart and checks; routing is dynamic) and
    the case statuses the node's task may be open in (workflows.invariants)."""

    _routes: tuple[Any, ...] = ()
    statuses: frozenset[str] = frozenset()

    def Routes(self, *nodes: Any) -> Any:
        self._routes = nodes
        return self

    def OpenIn(self, *statuses: str) -> Any:
        self.statuses = frozenset(statuses)
        return self

    def _resolve(self, instance: Any) -> None:
        super()._resolve(instance)  # type: ignore[misc]
        self._routes = tuple(this.resolve(instance, node) for node in self._routes)

    def _outgoing(self) -> Any:
        yield from super()._outgoing()  # type: ignore[misc]
        for node in self._routes:
            yield Edge(src=self, dst=node, edge_class="next")


class RoutedStartActivation(RoutedActivationMixin, StartHandleActivation):
    pass


class RoutedHandleActivation(RoutedActivationMixin, HandleActivation):
    pass


class RoutedFunctionActivation(RoutedActivationMixin, FunctionActivation):
    pass


class RoutedTimerActivation(RoutedActivationMixin, TimerActivation):
    pass


class CaseEndActivation(EndActivation):
    """The end: the previous task's finish, the end task (done as it is created), its
    `previous` link and the process marked done if nothing else is open — one statement on
    PostgreSQL, where viewflow's End sends six (and a savepoint pair)."""

    @classmethod
    def create(
        cls, flow_task: Any, prev_activation: Any, token: Any, data: Any = None, seed: Any = None
    ) -> Any:
        flow_class = flow_task.flow_class
        process = prev_activation.process
        now = timezone.now()
        task = flow_class.task_class(
            process=process,
            flow_task=flow_task,
            token=token,
            status=STATUS.DONE,
            started=now,
            finished=now,
        )
        task.data = data if data is not None else {}
        task.seed = seed
        task.flow_task_type = flow_task.task_type
        writes = list(prev_activation.__dict__.pop(PENDING, None) or ())
        at = len(writes)
        link = flow_class.task_class.previous.through(to_task_id=prev_activation.task.pk)
        tasks = connection.ops.quote_name(flow_class.task_class._meta.db_table)
        processes = connection.ops.quote_name(Process._meta.db_table)
        # Nothing else open: the finishing task counts as finished (its UPDATE is part of
        # this statement, which reads the rows as they were before it).
        done = combined_writes.Write(
            f"UPDATE {processes} SET status = %s, finished = %s "  # noqa: S608
            f"WHERE id = %s AND NOT EXISTS (SELECT 1 FROM {tasks} "
            "WHERE process_id = %s AND finished IS NULL AND id <> %s) RETURNING id",
            (PROCESS.DONE, now, process.pk, process.pk, prev_activation.task.pk),
            returns=True,
        )
        writes += [
            combined_writes.insert(task),
            combined_writes.insert(link, returning=False, from_part=at, column="from_task"),
            done,
        ]
        results = combined_writes.run(writes)
        task.pk = results[at]
        task._state.adding = False
        if results[-1] is not None:
            process.status = PROCESS.DONE
            process.finished = now
        return cls(task)


class CaseEnd(flow.End):
    activation_class = CaseEndActivation


class StartCase(RoutedNodeMixin, flow.StartHandle):
    activation_class = RoutedStartActivation


class WaitHandle(RoutedNodeMixin, flow.Handle):
    activation_class = RoutedHandleActivation


class CaseFunction(RoutedNodeMixin, flow.Function):
    activation_class = RoutedFunctionActivation


class CaseTimer(RoutedNodeMixin, flow.Timer):
    activation_class = RoutedTimerActivation


# ---- human steps ---------------------------------------------------------------------


# the defence task waits for the defence period to end: its due date is at least this many
# days after the last day of the period (a public notice's publication period runs first)
DEFENCE_GRACE_DAYS = 5


def due_at_for(flow_task: Any, case: Any, now: dt.datetime) -> dt.datetime:
    """When a new task of `flow_task` falls due: `due_days` from now; the defence task no
    sooner than DEFENCE_GRACE_DAYS after the end of the defence period."""
    due = now + dt.timedelta(days=flow_task.due_days)
    if flow_task.name == "defence" and case.current_proposal_id:
        until = (
            Proposal.objects.filter(pk=case.current_proposal_id)
            .values_list("defence_until", flat=True)
            .first()
        )
        if until is not None:
            # the end of the period's last day (midnight after it), then the grace days
            end = timezone.make_aware(
                dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min)
            )
            due = max(due, end + dt.timedelta(days=DEFENCE_GRACE_DAYS))
    return due


class CaseStepActivation(RoutedActivationMixin, ViewActivation):
    @classmethod
    def create(
        cls, flow_task: Any, prev_activation: Any, token: Any, data: Any = None, seed: Any = None
    ) -> Any:
        process = prev_activation.process
        flow_class = flow_task.flow_class
        task = flow_class.task_class(process=process, flow_task=flow_task, token=token)
        owners = done_by(prev_activation)
        if owners is None:  # previous_owner_id reads the finished queue rows
            flush_finished(prev_activation)
        task.data = {**(data or {}), **({DONE_BY: owners} if owners is not None else {})}
        activation = cls(task)
        case = flow_class.instance.case_of(prev_activation)
        seat = flow_task.seat_for(case)
        owner_id = (
            owners.get(flow_task.name)
            if owners is not None
            else flow_class.instance.previous_owner_id(activation, flow_task)
        )
        if owner_id is not None and not seat_held_by(seat, owner_id):
            owner_id = None  # they no longer hold the seat: the task goes to the queue
        if owner_id is not None:
            task.owner_id = owner_id
            task.status = STATUS.ASSIGNED
            task.assigned = timezone.now()
        if not task.flow_task_type:
            task.flow_task_type = flow_task.task_type
        due = TaskDue(
            case_id=case.pk,
            organisation_id=case.organisation_id,
            node=flow_task.name,
            role=seat.role,
            role_organisation=seat.organisation,
            role_path=seat.organisation.path,
            owner_id=owner_id,
            state=TaskState.ASSIGNED if owner_id else TaskState.OPEN,
            due_at=due_at_for(flow_task, case, timezone.now()),
        )
        # The previous task's finish, this task, its `previous` link and its queue row: one
        # statement on PostgreSQL.
        writes = list(prev_activation.__dict__.pop(PENDING, None) or ())
        at = len(writes)
        link = flow_class.task_class.previous.through(to_task_id=prev_activation.task.pk)
        writes += [
            combined_writes.insert(task),
            combined_writes.insert(link, returning=False, from_part=at, column="from_task"),
            combined_writes.insert(due, returning=False, from_part=at, column="task"),
        ]
        task.pk = combined_writes.run(writes)[at]
        for row in (task, due):
            row._state.adding = False
            row._state.db = task._state.db or "default"
        due.task = task
        return activation

    @Activation.status.transition(source=STATUS.STARTED, target=STATUS.DONE)
    def complete(self) -> None:
        """The task and its queue row are finished; the writes wait for the next task's
        (`flush_finished`, `create`)."""
        self.task.finished = timezone.now()
        self.__dict__[PENDING] = [
            _task_row(self.task),
            combined_writes.update(
                TaskDue,
                self.task.pk,
                {
                    "state": TaskState.DONE,
                    "finished_at": self.task.finished,
                    "owner_id": self.task.owner_id,
                },
            ),
        ]
        task_finished.send(sender=self.flow_class, process=self.process, task=self.task)

    @Activation.status.transition(source=[STATUS.NEW, STATUS.ASSIGNED], target=STATUS.CANCELED)
    def cancel(self) -> None:
        self.task.finished = timezone.now()
        combined_writes.run(
            [
                _task_row(self.task),
                combined_writes.update(
                    TaskDue,
                    self.task.pk,
                    {"state": TaskState.CANCELED, "finished_at": self.task.finished},
                ),
            ]
        )


class CaseStep(RoutedNodeMixin, flow.View):
    """A human task built from its declaration in workflows/case/steps.py: claimable by whoever
    holds the step's seat (role at or above an organisation, decided by casework), due
    `due_days` after creation, served by the generic step view."""

    activation_class = CaseStepActivation

    def __init__(self, step: Step, view: Any) -> None:
        super().__init__(view)
        self.step = step
        self.due_days = step.due_days
        self.statuses = step.statuses
        self.Annotation(title=step.title)
        self.Routes(*(getattr(this, name) for name in step.next_nodes))

    def seat_for(self, case: Any) -> Seat:
        return self.step.seat(case)

    @property
    def view_path(self) -> Any:
        """Our views do their own scope check, locking and race handling (see services)."""
        return path(
            f"<int:process_pk>/{self.name}/<int:task_pk>/execute/", self.view, name="execute"
        )

    def can_execute(self, user: Any, task: Any) -> bool:
        return bool(task.owner_id) and is_owner(task.owner, user)

    def can_assign(self, user: Any, task: Any) -> bool:
        if task.owner_id or user is None or not user.is_authenticated:
            return False
        due = TaskDue.objects.select_related("role_organisation").get(task_id=task.pk)
        return has_role_over(user, due.role_organisation, [due.role])

    def can_unassign(self, user: Any, task: Any) -> bool:
        return bool(task.owner_id) and user is not None and is_owner(task.owner, user)
