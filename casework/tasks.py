"""Thin Celery tasks of the domain: they take ids, call a service, and own their retries."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError, transaction
from django.utils import timezone

from casework.audit import audit_record
from casework.models import Organisation
from casework.services.detection import detect_lost_contact_chunk, detection_chunks
from casework.services.notifications import notification_email_send


@shared_task(name="casework.tasks.worker_heartbeat", acks_late=True)
def worker_heartbeat(token: str) -> str:
    """Append a `worker.heartbeat` audit event: proof that a worker consumed the broker."""
    with transaction.atomic():
        audit_record(actor=None, action="worker.heartbeat", after={"token": token})
    return token


@shared_task(
    name="casework.tasks.detect_lost_contact_task",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def detect_lost_contact_task(as_of: str | None = None, org_id: int | None = None) -> int:
    """Fan out the nightly sweep: one chunk task per group of organisations (ids only).

    Returns the number of chunks enqueued. Chunks are idempotent, so a retry or a second run
    on the same day opens nothing new.
    """
    day = as_of or timezone.localdate().isoformat()
    org = Organisation.objects.get(pk=org_id) if org_id is not None else None
    chunks = detection_chunks(org=org)
    for org_ids in chunks:
        detect_lost_contact_chunk_task.delay(org_ids, day)
    return len(chunks)


@shared_task(
    name="casework.tasks.detect_lost_contact_chunk_task",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def detect_lost_contact_chunk_task(org_ids: list[int], as_of: str) -> dict[str, int]:
    result = detect_lost_contact_chunk(org_ids=org_ids, as_of=dt.date.fromisoformat(as_of))
    return result.as_dict()


@shared_task(
    name="casework.tasks.notification_email_task",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def notification_email_task(notification_ids: list[int]) -> int:
    return notification_email_send(notification_ids=notification_ids)


@shared_task(
    name="casework.tasks.transfer_follow_ups_task",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def transfer_follow_ups_task(as_of: str | None = None) -> int:
    """Daily: unreturned introduction-letter receipts past validity become follow-ups."""
    from casework.services.ledgers import transfer_follow_ups_create

    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    return transfer_follow_ups_create(as_of=day)


@shared_task(
    name="casework.tasks.dashboard_rollup_task",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def dashboard_rollup_task(day: str | None = None) -> int:
    """Nightly: recompute the dashboard rollup (figures per organisation, every period)."""
    from casework.services.dashboard import dashboard_rollup_refresh

    return dashboard_rollup_refresh(day=dt.date.fromisoformat(day) if day else None)


@shared_task(
    name="casework.tasks.import_job_run",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def import_job_run(job_id: int) -> str:
    """Run one import job (ids only; running it twice does nothing the second time)."""
    from casework.services.imports import import_job_execute

    job = import_job_execute(job_id=job_id)
    return job.status if job is not None else "skipped"


@shared_task(
    name="casework.tasks.contact_due_reminders_task",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def contact_due_reminders_task(as_of: str | None = None) -> int:
    """Daily: remind contact officers of members whose next contact is due (once a window)."""
    from casework.services.contact_duty import contact_due_remind

    return contact_due_remind(as_of=dt.date.fromisoformat(as_of) if as_of else timezone.localdate())
