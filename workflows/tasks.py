"""Celery tasks of the workflow layer: ids in, one service call, idempotent, acks late."""

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


@shared_task(
    name="workflows.tasks.start_case_processes",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def start_case_processes(case_ids: list[int]) -> int:
    """Start the case flow for newly opened cases (idempotent: one process per case)."""
    from workflows.services import process_start_for_case

    return sum(process_start_for_case(case_id=cid) is not None for cid in case_ids)


@shared_task(
    name="workflows.tasks.resume_inquiry_wait",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def resume_inquiry_wait(case_id: int) -> bool:
    from workflows.services import inquiry_wait_resume

    return inquiry_wait_resume(case_id=case_id)
