"""The queues' task actions: claim, release, reassign, bulk reassign.

Every function locks the process row through the flow's lock (workflows/case/lock.py, the
same lock viewflow takes), re-reads the task's queue row under it and refuses with `Conflict` when
someone else moved first; out-of-scope tasks are `NotFound`. Each action is a TaskEvent and
an audit event.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.lock import lock_scope
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from casework import combined_writes
from casework.access import REGISTER_ROLES, has_role_over
from casework.errors import Conflict, DomainError, NotFound, PermissionDenied
from casework.models import Organisation, Role
from workflows.case.lock import task_process_lock
from workflows.models import OPEN_STATES, TaskDue, TaskState
from workflows.services.events import task_audit, task_event, task_event_row
from workflows.services.processes import busy, case_flow


def _task_lock(task_id: int) -> Any:
    """The flow's lock on the process of a task (as `CaseFlow.lock(process_id)`, the process
    found by the locking statement itself)."""
    return lock_scope(task_process_lock, case_flow(), task_id)


def _may_hold(user: AbstractBaseUser, due: TaskDue) -> bool:
    return has_role_over(user, due.role_organisation, [due.role])


def _due_for_update(task_id: int, user: AbstractBaseUser | None) -> TaskDue:
    rows = (
        TaskDue.objects.select_for_update(of=("self",))
        .select_related("task", "role_organisation", "organisation", "case__organisation")
        .filter(task_id=task_id)
        .order_by()  # one row by primary key: no ORDER BY, no LIMIT
    )
    due = next(iter(rows), None)
    if due is None:
        raise NotFound(_("任务不存在。"))
    if user is not None:
        visible = (
            due.owner_id == user.pk
            or _may_hold(user, due)
            or has_role_over(user, due.organisation, REGISTER_ROLES)
        )
        if not visible:
            raise NotFound(_("任务不存在。"))
    return due


def _set_owner(task: Task, due: TaskDue, owner_id: int | None) -> None:
    combined_writes.run(_owner_rows(task, due, owner_id))


def _owner_rows(task: Task, due: TaskDue, owner_id: int | None) -> list[combined_writes.Write]:
    """The task's and its queue row's new holder (the UPDATEs, not yet sent)."""
    now = timezone.now()
    task.owner_id = owner_id
    task.status = STATUS.ASSIGNED if owner_id else STATUS.NEW
    task.assigned = now if owner_id else None
    due.owner_id = owner_id
    due.state = TaskState.ASSIGNED if owner_id else TaskState.OPEN
    return [
        combined_writes.update_fields(task, ["owner", "status", "assigned"]),
        combined_writes.update_fields(due, ["owner", "state"]),
    ]


def task_claim(*, task_id: int, user: AbstractBaseUser) -> TaskDue:
    """Take an unclaimed task from the group queue (role in scope required)."""
    try:
        with _task_lock(task_id):
            due = _due_for_update(task_id, user)
            if not _may_hold(user, due):
                raise PermissionDenied(_("您没有认领此任务的角色。"))
            task = due.task
            if task.status != STATUS.NEW or due.state != TaskState.OPEN:
                raise Conflict(_("该任务已被他人认领或已办结。"), code="task_taken")
            # the task, its queue row, the event and the audit event: one statement (PostgreSQL)
            rows = _owner_rows(task, due, user.pk)
            rows.append(combined_writes.insert(task_event_row(task, due.case_id, "claim", user)))
            task_audit(
                "task.claim", task, due.case, user, {"owner": None}, {"owner": user.pk}, writes=rows
            )
    except FlowLockFailed as exc:
        raise busy() from exc
    return due


def task_release(*, task_id: int, user: AbstractBaseUser) -> TaskDue:
    """Put a claimed task back into the group queue (by its holder)."""
    try:
        with _task_lock(task_id):
            due = _due_for_update(task_id, user)
            task = due.task
            if task.status != STATUS.ASSIGNED:
                raise Conflict(_("该任务当前不能退回队列。"), code="not_assigned")
            if task.owner_id != user.pk:
                raise PermissionDenied(_("只有任务办理人可以退回队列。"))
            _set_owner(task, due, None)
            task_event(task, due.case_id, "release", user)
            task_audit("task.release", task, due.case, user, {"owner": user.pk}, {"owner": None})
    except FlowLockFailed as exc:
        raise busy() from exc
    return due


def _may_manage(user: AbstractBaseUser, org: Organisation) -> bool:
    return has_role_over(
        user, org, (Role.BRANCH_SECRETARY, Role.COMMITTEE_APPROVER, Role.ADMINISTRATOR)
    )


def _reassign_locked(
    task: Task,
    due: TaskDue,
    actor: AbstractBaseUser,
    to: AbstractBaseUser,
    reason: str,
    action: str,
) -> None:
    if task.status not in (STATUS.NEW, STATUS.ASSIGNED):
        raise Conflict(_("该任务已办结，不能转办。"), code="task_done")
    if not _may_hold(to, due):
        raise DomainError(_("接收人没有办理此任务的角色。"), code="target_lacks_role")
    before = task.owner_id
    _set_owner(task, due, to.pk)
    task_event(task, due.case_id, action, actor, to, reason)
    task_audit(f"task.{action}", task, due.case, actor, {"owner": before}, {"owner": to.pk}, reason)


def task_reassign(
    *, task_id: int, actor: AbstractBaseUser, to: AbstractBaseUser, reason: str = ""
) -> TaskDue:
    """Hand a task to a colleague holding its role: by its holder, or by a secretary /
    committee approver / administrator over the case's organisation."""
    try:
        with _task_lock(task_id):
            due = _due_for_update(task_id, actor)
            task = due.task
            if task.owner_id != actor.pk and not _may_manage(actor, due.organisation):
                raise PermissionDenied(_("您不能转办他人的任务。"))
            _reassign_locked(task, due, actor, to, reason, "reassign")
    except FlowLockFailed as exc:
        raise busy() from exc
    return due


def tasks_bulk_reassign(
    *, actor: AbstractBaseUser, absent: AbstractBaseUser, to: AbstractBaseUser, reason: str
) -> list[int]:
    """Every open task held by an absent officer goes to a colleague (each audited).
    The actor must manage the organisation of every task; tasks the colleague can't hold
    refuse the whole batch (nothing is half-done)."""
    if not reason.strip():
        raise DomainError(_("请填写转办原因。"), code="reason_required")
    ids = list(
        TaskDue.objects.filter(owner_id=absent.pk, state__in=OPEN_STATES)
        .order_by("task_id")
        .values_list("task_id", "task__process_id")
    )
    moved: list[int] = []
    with transaction.atomic():
        for task_id, process_id in ids:
            try:
                with case_flow().lock(process_id):
                    due = _due_for_update(task_id, None)
                    if not _may_manage(actor, due.organisation):
                        raise NotFound(_("任务不存在。"))
                    task = due.task
                    if task.owner_id != absent.pk:
                        continue  # moved meanwhile
                    _reassign_locked(task, due, actor, to, reason, "bulk_reassign")
                    moved.append(task_id)
            except FlowLockFailed as exc:
                raise busy() from exc
    return moved
