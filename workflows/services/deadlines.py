"""Task deadlines: remind the holders of tasks due soon, escalate overdue tasks to the branch
secretary and then to the committee (each step a TaskEvent and an audit event)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import Organisation, Role, RoleAssignment
from casework.seats import approving_organisation
from workflows.models import OPEN_STATES, EscalationLevel, TaskDue
from workflows.services.events import task_audit, task_event

REMIND_BEFORE = dt.timedelta(days=2)


def _holders(role: str, org: Organisation) -> Iterable[int]:
    ids = [int(p) for p in org.path.strip("/").split("/") if p]
    return RoleAssignment.objects.filter(
        role=role, organisation_id__in=ids, is_active=True
    ).values_list("user_id", flat=True)


def task_deadlines_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind holders of tasks due soon; escalate overdue tasks to the branch secretary, then
    (a further due period later) to the committee. Each step is a TaskEvent + audit event."""
    from workflows.notify import notify_users

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
            notify_users(user_ids=targets, subject=_("任务即将到期"), task_id=due.task_id)
            task_event(due.task, due.case_id, "remind", None)
            task_audit("task.remind", due.task, due.case, None, {}, {"due_at": due.due_at})
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
                org = approving_organisation(due.organisation)
            notify_users(
                user_ids=list(_holders(role, org)), subject=_("任务已逾期"), task_id=due.task_id
            )
            action = (
                "escalate_secretary" if level == EscalationLevel.SECRETARY else "escalate_committee"
            )
            task_event(due.task, due.case_id, action, None)
            task_audit(
                f"task.{action}", due.task, due.case, None, {"level": level - 1}, {"level": level}
            )
            counts["secretary" if level == 1 else "committee"] += 1
    return counts
