"""Thin Celery tasks: ids in, a service call, retries with backoff."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from documents.models import Document, DocumentStatus

MAX_RETRIES = 5


@shared_task(
    name="documents.tasks.document_render", bind=True, acks_late=True, max_retries=MAX_RETRIES
)
def document_render_task(self, document_id: int) -> str:  # type: ignore[no-untyped-def]
    """Render and store one document; a failure is recorded on the row and retried.

    With a broker the retry goes back to the queue with exponential backoff; in-process
    (no broker, CELERY_TASK_ALWAYS_EAGER) the attempts run at once, one after the other.
    """
    from documents.services import document_render

    attempts = 1 + MAX_RETRIES if self.request.is_eager else 1
    for attempt in range(1, attempts + 1):
        try:
            return document_render(document_id=document_id).status
        except Document.DoesNotExist:
            return "missing"
        except Exception as exc:
            if self.request.is_eager:
                if attempt < attempts:
                    continue
                raise
            countdown = min(600, 10 * 2**self.request.retries)
            raise self.retry(exc=exc, countdown=countdown) from exc
    return "unreachable"  # pragma: no cover


@shared_task(name="documents.tasks.document_render_sweep", acks_late=True)
def document_render_sweep(older_than_seconds: int = 300) -> int:
    """Re-queue documents left pending (e.g. a worker died before the task was queued)."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    ids = list(
        Document.objects.filter(status=DocumentStatus.PENDING, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:500]
    )
    for pk in ids:
        document_render_task.delay(pk)
    return len(ids)


@shared_task(
    name="documents.tasks.transfer_chasers_task",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def transfer_chasers_task(as_of: str | None = None) -> dict[str, int]:
    """Daily receipt follow-up: unreturned receipts past validity become follow-ups, and each
    new follow-up gets its chaser letter (`transfer_chaser`). Idempotent."""
    from casework.services.ledgers import transfer_follow_ups_create
    from documents.prevention import transfer_chasers_issue

    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    created = transfer_follow_ups_create(as_of=day)
    return {"follow_ups": created, "chasers": transfer_chasers_issue(as_of=day)}
