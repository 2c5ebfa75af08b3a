"""Celery tasks of integrations: the outbox's delivery task and the periodic sweeps.

`outbox_deliver` is the one task work caused by users travels through (integrations.outbox
publishes it after commit and from the sweep); it owns no Celery retries: the outbox row
records each attempt and the sweep republishes it. The periodic tasks share the project's
retry policy (casework.task_policy)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from casework.task_policy import RETRYING
from integrations import outbox


@shared_task(
    name="integrations.tasks.outbox_deliver",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def outbox_deliver(self: Any, message_id: int) -> str:
    """Claim one outbox message (with a lease), run its handler, acknowledge it."""
    return outbox.deliver(message_id, eager=bool(self.request.is_eager))


@shared_task(name="integrations.tasks.outbox_sweep", acks_late=True)
def outbox_sweep_task() -> dict[str, int]:
    """Every LIANLUO_OUTBOX_SWEEP_SECONDS from beat: publish what is due or was abandoned."""
    report = outbox.outbox_sweep()
    return {"due": report.due, "published": report.published, "purged": report.purged}


@shared_task(name="integrations.tasks.inquiries_overdue_task", **RETRYING)
def inquiries_overdue_task() -> dict[str, int]:
    """Hourly from beat: the sweep only touches inquiries still `sent` past their deadline."""
    from integrations.services.overdue import inquiries_overdue_sweep

    report = inquiries_overdue_sweep()
    return {"marked": report.marked, "reminded": report.reminded, "escalated": report.escalated}
