"""Celery tasks of the workflow layer."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command


@shared_task(name="workflows.tasks.fire_workflow_timers", acks_late=True)
def fire_workflow_timers() -> None:
    """Fire due viewflow timers (called every minute by Celery beat)."""
    call_command("workflow_timers")
