"""The one retry policy of the project's Celery tasks (`@shared_task(**RETRYING)`).

Periodic tasks (Celery beat) retry with exponential backoff and acknowledge late, so a worker
that dies mid-task leaves the message for another. Work caused by a user's action does not
use Celery retries: it travels as an outbox message (casework.outbox), whose relay owns the
retries of every kind (integrations.outbox)."""

from __future__ import annotations

from typing import Any

RETRYING: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (Exception,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
}
