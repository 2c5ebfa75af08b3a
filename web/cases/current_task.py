"""The case's open flow tasks, for the case page (the flow owns the task screens)."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse

from casework.access import User
from casework.models import Case
from workflows.selectors import task_open_for_case


def current_tasks(*, user: User, case: Case) -> list[dict[str, Any]]:
    """Open tasks of the case the user may see, with the link to the task page (one query).

    The rows are the flow's own open tasks (TaskDue of the case's process), so the step shown
    is the one the case status routed to; the task page offers claiming when it is unclaimed.
    """
    tasks = []
    row: Any
    for row in task_open_for_case(user=user, case_id=case.pk):  # annotated rows
        try:
            url = reverse(f"workflows:{row.node}:execute", args=[row.process_id, row.task_id])
        except NoReverseMatch:
            url = reverse("queues:queue")
        tasks.append(
            {
                "task_id": row.task_id,
                "title": row.step_title,
                "node": row.node,
                "url": url,
                "owner_id": row.owner_id,
                "owner": (row.owner.get_full_name() or row.owner.get_username())
                if row.owner
                else "",
                "due_at": row.due_at,
                "is_overdue": row.is_overdue,
            }
        )
    return tasks
