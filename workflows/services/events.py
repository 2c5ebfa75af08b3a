"""What happened to a task: a TaskEvent row (the case page's history) and an audit event."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from viewflow.workflow.models import Task

from casework import combined_writes
from casework.audit import audit_record_with
from casework.models import Case
from workflows.models import TaskEvent


def task_event(
    task: Task, case_id: int, action: str, actor: Any, target: Any = None, comment: str = ""
) -> None:
    task_event_row(task, case_id, action, actor, target, comment).save(force_insert=True)


def task_event_row(
    task: Task, case_id: int, action: str, actor: Any, target: Any = None, comment: str = ""
) -> TaskEvent:
    """The TaskEvent `task_event` writes, unsaved (to combine with the audit event)."""
    return TaskEvent(
        task=task,
        case_id=case_id,
        action=action,
        actor_id=getattr(actor, "pk", None),
        target_id=getattr(target, "pk", None),
        comment=comment,
    )


def task_audit(
    action: str,
    task: Task,
    case: Case,
    actor: Any,
    before: dict[str, Any],
    after: dict[str, Any],
    reason: str = "",
    writes: Sequence[combined_writes.Write] = (),
) -> None:
    """The audit event of a task action; with the action's own `writes` (its rows), one
    statement on PostgreSQL."""
    audit_record_with(
        writes,
        actor=actor,
        action=action,
        obj=task,
        organisation=case.organisation,
        before=before,
        after={"case": case.pk, "task": task.pk, **after},
        reason=reason,
    )
