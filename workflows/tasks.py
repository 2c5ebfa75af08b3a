"""Celery tasks of the workflow layer (run by Celery beat): one service call, acks late.
Work a user's action causes travels as outbox messages (workflows.hooks)."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command


@shared_task(name="workflows.tasks.fire_workflow_timers", acks_late=True)
def fire_workflow_timers() -> None:
    """Fire due viewflow timers, resume finished inquiry waits, cancel tasks left open on
    closed cases, remind and escalate (called every minute by Celery beat)."""
    from workflows.services import (
        closed_case_tasks_sweep,
        inquiry_waits_sweep,
        task_deadlines_sweep,
    )

    call_command("workflow_timers")
    closed_case_tasks_sweep()
    inquiry_waits_sweep()
    task_deadlines_sweep()
