"""What happened to a task: a TaskEvent row (the case page's history) and an audit event."""

from __future__ import annotations

from typing import Any

from viewflow.workflow.models import Task

from casework.audit import audit_record
from casework.models import Case
from workflows.models import TaskEvent


def task_event(
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


def task_audit(
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
