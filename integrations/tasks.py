"""Celery tasks: ids in, a service call, retries with exponential backoff, idempotent."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from integrations.services.delivery import DeliveryRetry, letter_deliver


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def letter_deliver_task(self: Any, letter_id: int) -> str:
    """Deliver one letter; transient failures retry with backoff, the last one marks it failed."""
    max_retries = settings.LIANLUO_DELIVERY_MAX_RETRIES
    if self.request.is_eager:
        # No broker (dev, tests): Celery would re-run at once anyway; do it without raising.
        for attempt in range(max_retries + 1):
            try:
                return letter_deliver(letter_id=letter_id, final=attempt >= max_retries).state
            except DeliveryRetry:
                continue
        return "retry"
    retries = self.request.retries
    try:
        outcome = letter_deliver(letter_id=letter_id, final=retries >= max_retries)
    except DeliveryRetry as exc:
        base = settings.LIANLUO_DELIVERY_BACKOFF_SECONDS
        countdown = min(base * (2**retries), settings.LIANLUO_DELIVERY_BACKOFF_MAX_SECONDS)
        raise self.retry(exc=exc, countdown=countdown, max_retries=max_retries + 1) from exc
    return outcome.state


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def inquiries_overdue_task() -> dict[str, int]:
    """Hourly from beat: the sweep only touches inquiries still `sent` past their deadline."""
    from integrations.services.overdue import inquiries_overdue_sweep

    report = inquiries_overdue_sweep()
    return {"marked": report.marked, "reminded": report.reminded, "escalated": report.escalated}


@shared_task(
    name="integrations.tasks.branch_notice_deliver_task",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def branch_notice_deliver_task(notice_id: int) -> dict[str, int]:
    """Send a branch notice's pending messages (ids only; claimed per recipient)."""
    from integrations.services.broadcast import branch_notice_deliver

    return branch_notice_deliver(notice_id=notice_id)


@shared_task(name="integrations.tasks.branch_notices_sweep_task", acks_late=True)
def branch_notices_sweep_task() -> int:
    from integrations.services.broadcast import branch_notices_sweep

    return branch_notices_sweep()
