"""Node types of the case flow.

The case status (casework, django-fsm) is the single source of truth. After every node the
flow asks `CaseFlow.route(activation)` which node comes next, and creates exactly that one
task: no intermediate Switch/If rows, so a human-task completion writes the finished task,
the next task, its `previous` link and its `TaskDue` row and nothing else.

`CaseStep` is a human task with a role, a scope and a due date; its `TaskDue` row is written
when the task is created and closed when it finishes or is cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.urls import path
from django.utils import timezone
from viewflow import this
from viewflow.utils import is_owner
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.base import Edge
from viewflow.workflow.nodes.func import FunctionActivation
from viewflow.workflow.nodes.handle import HandleActivation
from viewflow.workflow.nodes.start import StartHandleActivation
from viewflow.workflow.nodes.timer import TimerActivation
from viewflow.workflow.nodes.view import ViewActivation
from viewflow.workflow.status import STATUS

from casework.access import has_role_over
from casework.models import Organisation, RoleAssignment
from workflows.models import TaskDue, TaskState

# (role, organisation at which the role is needed) for a case
RoleSpec = Callable[[Any], tuple[str, Organisation]]


# task.data key: {human step name: owner id} of the case's completed human steps, carried
# from each task to the next so that a step sent back (or repeated) goes to whoever did it
# last time without a query. Missing on tasks created before it existed: then ask TaskDue.
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


class RoutedActivationMixin:
    """create_next asks the flow for the one next node instead of a fixed `.Next()`."""

    @Activation.status.transition(source=STATUS.DONE)
    def create_next(self) -> Any:
        node = self.flow_class.instance.route(self)  # type: ignore[attr-defined]
        if node is not None:
            yield node._create(self, self.task.token, data=next_task_data(self))  # type: ignore[attr-defined]


class RoutedNodeMixin:
    """Declares the possible next nodes (for the chart and checks); routing is dynamic."""

    _routes: tuple[Any, ...] = ()

    def Routes(self, *nodes: Any) -> Any:
        self._routes = nodes
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


class StartCase(RoutedNodeMixin, flow.StartHandle):
    activation_class = RoutedStartActivation


class WaitHandle(RoutedNodeMixin, flow.Handle):
    activation_class = RoutedHandleActivation


class CaseFunction(RoutedNodeMixin, flow.Function):
    activation_class = RoutedFunctionActivation


class CaseTimer(RoutedNodeMixin, flow.Timer):
    activation_class = RoutedTimerActivation


# ---- human steps ---------------------------------------------------------------------


def _holds(user_id: int, role: str, organisation: Organisation) -> bool:
    """Whether the user still holds `role` at `organisation` or above (one query, only when
    a repeated step would go back to its previous owner)."""
    ids = [int(part) for part in organisation.path.strip("/").split("/") if part]
    return RoleAssignment.objects.filter(
        user_id=user_id, role=role, organisation_id__in=ids, is_active=True
    ).exists()


class CaseStepActivation(RoutedActivationMixin, ViewActivation):
    @classmethod
    def create(
        cls, flow_task: Any, prev_activation: Any, token: Any, data: Any = None, seed: Any = None
    ) -> Any:
        process = prev_activation.process
        flow_class = flow_task.flow_class
        task = flow_class.task_class(process=process, flow_task=flow_task, token=token)
        owners = done_by(prev_activation)
        task.data = {**(data or {}), **({DONE_BY: owners} if owners is not None else {})}
        activation = cls(task)
        case = flow_class.instance.case_of(prev_activation)
        role, role_org = flow_task.role_for(case)
        owner_id = (
            owners.get(flow_task.name)
            if owners is not None
            else flow_class.instance.previous_owner_id(activation, flow_task)
        )
        if owner_id is not None and not _holds(owner_id, role, role_org):
            owner_id = None  # e.g. a restoration's approval: not the suspension's approver
        if owner_id is not None:
            task.owner_id = owner_id
            task.status = STATUS.ASSIGNED
            task.assigned = timezone.now()
        task.save()
        task.previous.add(prev_activation.task)
        TaskDue.objects.create(
            task=task,
            case_id=case.pk,
            organisation_id=case.organisation_id,
            node=flow_task.name,
            role=role,
            role_organisation=role_org,
            role_path=role_org.path,
            owner_id=owner_id,
            state=TaskState.ASSIGNED if owner_id else TaskState.OPEN,
            due_at=timezone.now() + dt.timedelta(days=flow_task.due_days),
        )
        return activation

    @Activation.status.transition(source=STATUS.STARTED, target=STATUS.DONE)
    def complete(self) -> None:
        super().complete.original()  # type: ignore[attr-defined]
        TaskDue.objects.filter(task_id=self.task.pk).update(
            state=TaskState.DONE, finished_at=self.task.finished, owner_id=self.task.owner_id
        )

    @Activation.status.transition(source=[STATUS.NEW, STATUS.ASSIGNED], target=STATUS.CANCELED)
    def cancel(self) -> None:
        self.task.finished = timezone.now()
        self.task.save()
        TaskDue.objects.filter(task_id=self.task.pk).update(
            state=TaskState.CANCELED, finished_at=self.task.finished
        )


class CaseStep(RoutedNodeMixin, flow.View):
    """A human task: a form calling one casework service. Claimable by `role` held at (or
    above) the organisation `role_for(case)` names; due `due_days` after creation."""

    activation_class = CaseStepActivation

    def __init__(self, view: Any, *, role: RoleSpec, due_days: int = 10, **kwargs: Any) -> None:
        super().__init__(view, **kwargs)
        self._role = role
        self.due_days = due_days

    def _resolve(self, instance: Any) -> None:
        super()._resolve(instance)
        self._role = this.resolve(instance, self._role)

    def role_for(self, case: Any) -> tuple[str, Organisation]:
        return self._role(case)

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
