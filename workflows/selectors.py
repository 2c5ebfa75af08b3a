"""Queue reads for the screens: inbox, group queue, approval queue, archive.

Every selector takes the user and returns a `TaskDue` queryset whose rows carry what a queue
row shows, in ONE query whatever the page size:

    row.task_id, row.node (step name), row.step_title, row.state, row.due_at, row.is_overdue,
    row.owner (user or None), row.role, row.case (status = stage, opened_at),
    row.case.member (name, key_groups, last_contact_date), row.organisation (branch name),
    row.since_contact (timedelta or None; `.days` = days since last contact),
    row.process_id (for the task URL: /workflows/case/<process_id>/<node>/<task_id>/…)

Out-of-scope tasks are simply absent (the caller answers 404, see `task_get_for_user`).

With `rows=False` a queue selector returns the bare TaskDue filter (no joins, no
annotations): what a paginator should COUNT — the count of a 50,000-task queue is then an
index scan of TaskDue alone. `task_rows()` turns it into display rows afterwards.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.access import REGISTER_ROLES, scope_paths, scope_q
from casework.errors import NotFound
from casework.models import Case as CaseModel
from casework.models import Role
from workflows.case.steps import FOUR_EYES_STEPS, REVIEW_STEPS
from workflows.models import OPEN_STATES, TaskDue, TaskState

User = AbstractBaseUser | AnonymousUser

# Roles that claim tasks from a group queue, and the ones that approve.
CLAIM_ROLES = (
    Role.CONTACT_OFFICER,
    Role.BRANCH_SECRETARY,
    Role.COMMITTEE_APPROVER,
    Role.COORDINATOR,
)
# The steps of the approval queue (pre-reviews, approvals), from the steps table.
APPROVAL_NODES = REVIEW_STEPS


def task_rows(qs: QuerySet[TaskDue]) -> QuerySet[TaskDue]:
    """The queue-row columns (see the module docstring), joined in the same query."""
    now = timezone.now()
    today = timezone.localdate()
    return qs.select_related("task", "case", "case__member", "organisation", "owner").annotate(
        process_id=F("task__process_id"),
        is_overdue=Case(
            When(Q(due_at__lt=now) & Q(state__in=OPEN_STATES), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        since_contact=ExpressionWrapper(
            Value(today, output_field=DateField()) - F("case__member__last_contact_date"),
            output_field=DurationField(),
        ),
    )


def _claimable_q(user: User, roles: tuple[str, ...] = CLAIM_ROLES) -> Q:
    """Tasks whose role the user holds at the task's role organisation or above."""
    q = Q(pk__in=[])
    for role in roles:
        for path in scope_paths(user, [role]):
            q |= Q(role=role, role_path__startswith=path)
    return q


def _four_eyes_q(user: User) -> Q:
    """Approval tasks the user may not decide: they proposed the case's current proposal or
    recorded its branch meeting's resolution (the same rule as `case_approve`). Two small
    subqueries on the user's own proposals and minutes, hashed once by the database."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    proposed = CaseModel.objects.filter(current_proposal__proposed_by_id=user.pk)
    recorded = CaseModel.objects.filter(current_proposal__meetings__recorded_by_id=user.pk)
    return Q(node__in=FOUR_EYES_STEPS) & (
        Q(case_id__in=proposed.values("pk")) | Q(case_id__in=recorded.values("pk"))
    )


def _queue(qs: QuerySet[TaskDue], rows: bool, *order: str) -> QuerySet[TaskDue]:
    return (task_rows(qs) if rows else qs).order_by(*order)


def task_inbox_for_user(*, user: User, rows: bool = True) -> QuerySet[TaskDue]:
    """Tasks the user holds (claimed or assigned to them), soonest due first."""
    if not user.is_authenticated:
        return TaskDue.objects.none()
    qs = TaskDue.objects.filter(owner_id=user.pk, state=TaskState.ASSIGNED)
    return _queue(qs, rows, "due_at", "task_id")


def task_group_queue_for_user(*, user: User, rows: bool = True) -> QuerySet[TaskDue]:
    """Unclaimed tasks the user may claim by role in their subtree (never an approval the
    four-eyes rule forbids them)."""
    qs = TaskDue.objects.filter(_claimable_q(user), state=TaskState.OPEN).exclude(
        _four_eyes_q(user)
    )
    return _queue(qs, rows, "due_at", "task_id")


def task_approval_queue_for_user(*, user: User, rows: bool = True) -> QuerySet[TaskDue]:
    """Pre-reviews and approvals at the user's committee (or department), open or in hand;
    not the approvals of proposals the user made or whose meeting they recorded."""
    qs = TaskDue.objects.filter(
        _claimable_q(user, (Role.COMMITTEE_APPROVER, Role.COORDINATOR)),
        node__in=APPROVAL_NODES,
        state__in=OPEN_STATES,
    ).exclude(_four_eyes_q(user))
    return _queue(qs, rows, "due_at", "task_id")


def task_archive_for_user(*, user: User, rows: bool = True) -> QuerySet[TaskDue]:
    """Tasks the user completed, latest first."""
    if not user.is_authenticated:
        return TaskDue.objects.none()
    qs = TaskDue.objects.filter(owner_id=user.pk, state=TaskState.DONE)
    return _queue(qs, rows, "-finished_at", "-task_id")


def task_open_for_case(*, user: User, case_id: int) -> QuerySet[TaskDue]:
    """The open tasks of one case the user may see (for the case page)."""
    qs = TaskDue.objects.filter(
        scope_q(user, "organisation__path", REGISTER_ROLES), case_id=case_id, state__in=OPEN_STATES
    )
    return task_rows(qs).order_by("due_at")


def task_visible_q(user: User) -> Q:
    """A task is visible to its owner, to whoever may claim it, and to readers of its case."""
    q = _claimable_q(user) | scope_q(user, "organisation__path", REGISTER_ROLES)
    if user.is_authenticated:
        q |= Q(owner_id=user.pk)
    return q


def task_get_for_user(*, user: User, task_id: int) -> TaskDue:
    """One task row in the user's scope; NotFound (404) otherwise, never 403."""
    rows = task_rows(TaskDue.objects.filter(task_visible_q(user), task_id=task_id))
    return _one(rows.order_by())


def task_with_case_for_user(*, user: User, task_id: int) -> TaskDue:
    """One task in the user's scope with its case (member and organisation joined): what a
    step's form needs, without the queue-row columns of `task_get_for_user`. Same scope, same
    NotFound (404)."""
    rows = TaskDue.objects.filter(task_visible_q(user), task_id=task_id).select_related(
        "case__member", "case__organisation"
    )
    return _one(rows)


def _one(rows: QuerySet[TaskDue]) -> TaskDue:
    """The task of a filter on its primary key (no ORDER BY, no LIMIT 1), or NotFound."""
    row = next(iter(rows), None)
    if row is None:
        raise NotFound(_("任务不存在。"))
    return row


__all__ = [
    "task_approval_queue_for_user",
    "task_archive_for_user",
    "task_get_for_user",
    "task_group_queue_for_user",
    "task_inbox_for_user",
    "task_open_for_case",
    "task_rows",
    "task_with_case_for_user",
]
