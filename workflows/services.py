"""Workflow writes: start processes, complete / claim / release / reassign tasks, resume the
inquiry wait, reminders and escalation.

Every function locks the process row through the flow's `select_for_update_lock` (the same
lock viewflow takes), re-reads the task under it and refuses with `Conflict` when someone
else moved first; out-of-scope tasks are `NotFound`. Business rules stay in casework: the
`perform` callable of `task_complete` calls exactly one casework service.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from casework.access import has_role_over
from casework.audit import audit_record
from casework.caserules import inquiry_wait_interrupted
from casework.errors import Conflict, DomainError, NotFound, PermissionDenied
from casework.models import CLOSED_STATUSES, Case, Organisation, Role
from casework.services import cases as case_services
from casework.services.transitions import status_label
from casework.transactions import one_transaction
from workflows.case.nodes import next_task_data
from workflows.invariants import steps_match_status
from workflows.models import (
    OPEN_STATES,
    CaseProcess,
    EscalationLevel,
    TaskDue,
    TaskEvent,
    TaskState,
)

log = logging.getLogger(__name__)

Perform = Callable[[Case], Case]
REMIND_BEFORE = dt.timedelta(days=2)
# Tasks waiting for someone or something (a human step, the inquiry wait, a timer).
WAITING = (STATUS.NEW, STATUS.ASSIGNED, STATUS.SCHEDULED)
FINISHED = (STATUS.DONE, STATUS.CANCELED, STATUS.REVIVED)

# The case whose flow step is running in this thread: its transitions are routed by the flow
# itself, so the `case_changed` hook leaves them alone.
_in_step: ContextVar[int | None] = ContextVar("case_flow_step", default=None)


@contextmanager
def flow_step(case_id: int) -> Iterator[None]:
    token = _in_step.set(case_id)
    try:
        yield
    finally:
        _in_step.reset(token)


def _flow() -> Any:
    from workflows.case.flows import CaseFlow

    return CaseFlow


def _busy() -> Conflict:
    return Conflict(_("该任务正由他人办理，请稍后重试。"), code="locked")


def _locked_task(task_id: int, process_id: int | None = None) -> Task:
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


def _process_id(task_id: int) -> int:
    pid = Task.objects.filter(pk=task_id).values_list("process_id", flat=True).first()
    if pid is None:
        raise NotFound(_("任务不存在。"))
    return pid


def _event(
    task: Task, case_id: int, action: str, actor: Any, target: Any = None, comment: str = ""
) -> None:
    TaskEvent.objects.create(
        task=task,
        case_id=case_id,
        action=action,
        actor_id=getattr(actor, "pk", None),
        target_id=getattr(target, "pk", None),
        comment=comment,
    )


def _audit(
    action: str,
    task: Task,
    case: Case,
    actor: Any,
    before: dict[str, Any],
    after: dict[str, Any],
    reason: str = "",
) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=task,
        organisation=case.organisation,
        before=before,
        after={"case": case.pk, "task": task.pk, **after},
        reason=reason,
    )


# ---- start ------------------------------------------------------------------------------


def process_start_for_case(*, case_id: int) -> Any:
    """Start the case flow for an open case; idempotent (one process per case)."""
    from workflows.models import CaseProcess

    existing = CaseProcess.objects.filter(case_id=case_id).first()
    if existing is not None:
        return existing
    case = Case.objects.select_related("organisation").filter(pk=case_id).first()
    if case is None or not case.is_open:
        return None
    try:
        with transaction.atomic():
            process = _flow().start.run(case_id=case_id)
            process_case = Case.objects.select_related("member", "organisation").get(pk=case_id)
            from workflows.case.documents import issue_step_documents

            issue_step_documents(step="open", case=process_case, actor=None)
    except IntegrityError:  # a concurrent start won
        return CaseProcess.objects.filter(case_id=case_id).first()
    return process


# ---- complete ---------------------------------------------------------------------------


def task_complete(
    *,
    task_id: int,
    user: AbstractBaseUser,
    perform: Perform,
    step: str | None = None,
    route: str | None = None,
    process_id: int | None = None,
) -> Case:
    """Complete a human task: run `perform(case)` (one casework service), issue the step's
    documents, close the task and create the next one, all in one transaction under the
    process lock. The loser of a race gets Conflict; domain errors roll everything back."""
    from workflows.case.documents import issue_step_documents

    flow_class = _flow()
    pid = process_id if process_id is not None else _process_id(task_id)
    try:
        with flow_class.lock(pid), one_transaction():
            task = _locked_task(task_id, pid)
            if task.status in (STATUS.DONE, STATUS.CANCELED):
                raise Conflict(
                    _("该任务已办结（可能已由他人办理），请刷新待办。"), code="task_done"
                )
            if task.owner_id != user.pk:
                if task.owner_id is None:
                    raise Conflict(_("请先认领该任务再办理。"), code="not_claimed")
                raise Conflict(_("该任务已由他人认领办理。"), code="task_taken")
            activation = task.flow_task.activation_class(task)
            activation.start(None)
            case = task.process.caseprocess.case
            with flow_step(case.pk):
                case = perform(case)
            activation.case, activation.case_is_fresh = case, True
            if route:
                task.data = {**task.data, "route": route}
            issue_step_documents(step=step or task.flow_task.name, case=case, actor=user)
            activation.execute()
    except FlowLockFailed as exc:
        raise _busy() from exc
    return case


# ---- the flow follows a case changed outside it ------------------------------------------


def case_flow_follow(case_ids: list[int], actor: Any = None) -> None:
    """Registered in casework.hooks.case_changed; runs inside the transition's transaction.

    A transition made outside the flow (withdrawal from the case page, a send back, a close
    through the API, a timer) leaves the flow's open tasks behind. Then: a closed case gets
    every open task cancelled (with its queue row) and its process cancelled; an open case
    whose open step no longer fits its status gets it cancelled and the step the status calls
    for created (the flow's own `route`). Each cancelled task is a TaskEvent and an audit
    event. Transitions made by a flow step are left to the flow (`flow_step`)."""
    for case_id in case_ids:
        if _in_step.get() != case_id:
            _follow(case_id, actor)


def _follow(case_id: int, actor: Any) -> int:
    pid = CaseProcess.objects.filter(case_id=case_id).values_list("pk", flat=True).first()
    if pid is None:
        return 0
    flow_class = _flow()
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
                _event(task, case_id, "cancel", actor, comment=reason)
                _audit(
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
                node = flow_class.instance.route(previous)
                if node is not None and node is not flow_class.end:
                    data = next_task_data(previous)
                    previous._activate_next({node._create(previous, previous.task.token, data)})
            return len(tasks)
    except FlowLockFailed as exc:
        raise _busy() from exc


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
                cancelled += _follow(case_id, None)
        except Conflict:
            log.info("case %s busy; its tasks are cancelled on the next sweep", case_id)
    return cancelled


# ---- claim / release / reassign ------------------------------------------------------------


def _may_hold(user: AbstractBaseUser, due: TaskDue) -> bool:
    return has_role_over(user, due.role_organisation, [due.role])


def _due_for_update(task_id: int, user: AbstractBaseUser | None) -> TaskDue:
    due = (
        TaskDue.objects.select_for_update(of=("self",))
        .select_related("task", "role_organisation", "organisation", "case__organisation")
        .filter(task_id=task_id)
        .first()
    )
    if due is None:
        raise NotFound(_("任务不存在。"))
    if user is not None:
        from casework.access import REGISTER_ROLES

        visible = (
            due.owner_id == user.pk
            or _may_hold(user, due)
            or has_role_over(user, due.organisation, REGISTER_ROLES)
        )
        if not visible:
            raise NotFound(_("任务不存在。"))
    return due


def _set_owner(task: Task, due: TaskDue, owner_id: int | None) -> None:
    now = timezone.now()
    task.owner_id = owner_id
    task.status = STATUS.ASSIGNED if owner_id else STATUS.NEW
    task.assigned = now if owner_id else None
    task.save(update_fields=["owner", "status", "assigned"])
    due.owner_id = owner_id
    due.state = TaskState.ASSIGNED if owner_id else TaskState.OPEN
    due.save(update_fields=["owner", "state"])


def task_claim(*, task_id: int, user: AbstractBaseUser) -> TaskDue:
    """Take an unclaimed task from the group queue (role in scope required)."""
    try:
        with _flow().lock(_process_id(task_id)):
            due = _due_for_update(task_id, user)
            if not _may_hold(user, due):
                raise PermissionDenied(_("您没有认领此任务的角色。"))
            task = due.task
            if task.status != STATUS.NEW or due.state != TaskState.OPEN:
                raise Conflict(_("该任务已被他人认领或已办结。"), code="task_taken")
            _set_owner(task, due, user.pk)
            _event(task, due.case_id, "claim", user)
            _audit("task.claim", task, due.case, user, {"owner": None}, {"owner": user.pk})
    except FlowLockFailed as exc:
        raise _busy() from exc
    return due


def task_release(*, task_id: int, user: AbstractBaseUser) -> TaskDue:
    """Put a claimed task back into the group queue (by its holder)."""
    try:
        with _flow().lock(_process_id(task_id)):
            due = _due_for_update(task_id, user)
            task = due.task
            if task.status != STATUS.ASSIGNED:
                raise Conflict(_("该任务当前不能退回队列。"), code="not_assigned")
            if task.owner_id != user.pk:
                raise PermissionDenied(_("只有任务办理人可以退回队列。"))
            _set_owner(task, due, None)
            _event(task, due.case_id, "release", user)
            _audit("task.release", task, due.case, user, {"owner": user.pk}, {"owner": None})
    except FlowLockFailed as exc:
        raise _busy() from exc
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
    _event(task, due.case_id, action, actor, to, reason)
    _audit(f"task.{action}", task, due.case, actor, {"owner": before}, {"owner": to.pk}, reason)


def task_reassign(
    *, task_id: int, actor: AbstractBaseUser, to: AbstractBaseUser, reason: str = ""
) -> TaskDue:
    """Hand a task to a colleague holding its role: by its holder, or by a secretary /
    committee approver / administrator over the case's organisation."""
    try:
        with _flow().lock(_process_id(task_id)):
            due = _due_for_update(task_id, actor)
            task = due.task
            if task.owner_id != actor.pk and not _may_manage(actor, due.organisation):
                raise PermissionDenied(_("您不能转办他人的任务。"))
            _reassign_locked(task, due, actor, to, reason, "reassign")
    except FlowLockFailed as exc:
        raise _busy() from exc
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
                with _flow().lock(process_id):
                    due = _due_for_update(task_id, None)
                    if not _may_manage(actor, due.organisation):
                        raise NotFound(_("任务不存在。"))
                    task = due.task
                    if task.owner_id != absent.pk:
                        continue  # moved meanwhile
                    _reassign_locked(task, due, actor, to, reason, "bulk_reassign")
                    moved.append(task_id)
            except FlowLockFailed as exc:
                raise _busy() from exc
    return moved


# ---- the inquiry wait ------------------------------------------------------------------------


def inquiry_wait_resume(*, case_id: int) -> bool:
    """Resume the case's `wait_inquiries` task when its wait is over (all inquiries settled,
    or one located the member) or a clue came in for the officer to assess. Called after
    commit by whoever changed an inquiry, and by the periodic sweep; returns whether it
    resumed."""
    flow_class = _flow()
    task = (
        Task.objects.filter(
            process__caseprocess__case_id=case_id,
            flow_task=flow_class.wait_inquiries,
            status=STATUS.NEW,
        )
        .select_related("process")
        .first()
    )
    if task is None:
        return False
    case = Case.objects.get(pk=case_id)
    if not inquiry_wait_interrupted(case):
        return False
    try:
        flow_class.wait_inquiries.run(task)
    except (FlowLockFailed, TransitionNotAllowed):
        # busy, or resumed meanwhile by a concurrent answer (the task is re-read under the
        # lock and is no longer waiting): either way someone else moves it on
        return False
    return True


def inquiry_waits_sweep() -> int:
    """Resume every waiting case whose inquiries are over (safety net for missed hooks)."""
    flow_class = _flow()
    case_ids = Task.objects.filter(
        flow_task=flow_class.wait_inquiries, status=STATUS.NEW
    ).values_list("process__caseprocess__case_id", flat=True)
    return sum(inquiry_wait_resume(case_id=cid) for cid in list(case_ids))


# ---- reminders and escalation ----------------------------------------------------------------


def _holders(role: str, org: Organisation) -> Iterable[int]:
    from casework.models import RoleAssignment

    ids = [int(p) for p in org.path.strip("/").split("/") if p]
    return RoleAssignment.objects.filter(
        role=role, organisation_id__in=ids, is_active=True
    ).values_list("user_id", flat=True)


def task_deadlines_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind holders of tasks due soon; escalate overdue tasks to the branch secretary, then
    (a further due period later) to the committee. Each step is a TaskEvent + audit event."""
    from workflows.notify import TaskNotice, notify_users

    now = now or timezone.now()
    counts = {"reminded": 0, "secretary": 0, "committee": 0}
    soon = TaskDue.objects.filter(
        state__in=OPEN_STATES,
        reminded_at__isnull=True,
        due_at__lte=now + REMIND_BEFORE,
        due_at__gt=now,
    ).select_related("case__organisation", "task")
    for due in soon:
        with transaction.atomic():
            if not TaskDue.objects.filter(pk=due.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            targets = (
                [due.owner_id] if due.owner_id else list(_holders(due.role, due.role_organisation))
            )
            notify_users(user_ids=targets, notice=TaskNotice.DUE_SOON, task_id=due.task_id)
            _event(due.task, due.case_id, "remind", None)
            _audit("task.remind", due.task, due.case, None, {}, {"due_at": due.due_at})
            counts["reminded"] += 1
    overdue = TaskDue.objects.filter(
        state__in=OPEN_STATES, due_at__lt=now, escalation__lt=EscalationLevel.COMMITTEE
    ).select_related("case__organisation", "task", "organisation")
    for due in overdue:
        level = due.escalation + 1
        if (
            level == EscalationLevel.COMMITTEE
            and due.escalated_at
            and now - due.escalated_at < (due.due_at - due.created_at)
        ):
            continue  # give the secretary one more due period before the committee
        with transaction.atomic():
            if not TaskDue.objects.filter(pk=due.pk, escalation=due.escalation).update(
                escalation=level, escalated_at=now
            ):
                continue
            if level == EscalationLevel.SECRETARY:
                role, org = Role.BRANCH_SECRETARY, due.organisation
            else:
                role = Role.COMMITTEE_APPROVER
                org = case_services.approving_organisation(due.organisation)
            notify_users(
                user_ids=list(_holders(role, org)), notice=TaskNotice.OVERDUE, task_id=due.task_id
            )
            action = (
                "escalate_secretary" if level == EscalationLevel.SECRETARY else "escalate_committee"
            )
            _event(due.task, due.case_id, action, None)
            _audit(
                f"task.{action}", due.task, due.case, None, {"level": level - 1}, {"level": level}
            )
            counts["secretary" if level == 1 else "committee"] += 1
    return counts


def users_by_ids(ids: Iterable[int]) -> Any:
    return get_user_model()._default_manager.filter(pk__in=list(ids))
