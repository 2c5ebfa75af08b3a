"""Thin Celery tasks of the domain, run by Celery beat: they call a service and share one
retry policy (casework.task_policy). Work they cause goes through the outbox."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from casework.audit import audit_record
from casework.models import Organisation
from casework.outbox import outbox_enqueue
from casework.services.detection import DETECTION_CHUNK, detection_chunks
from casework.task_policy import RETRYING


@shared_task(name="casework.tasks.worker_heartbeat", acks_late=True)
def worker_heartbeat(token: str) -> str:
    """Append a `worker.heartbeat` audit event: proof that a worker consumed the broker."""
    with transaction.atomic():
        audit_record(actor=None, action="worker.heartbeat", after={"token": token})
    return token


@shared_task(name="casework.tasks.detect_lost_contact_task", **RETRYING)
def detect_lost_contact_task(as_of: str | None = None, org_id: int | None = None) -> int:
    """Fan out the nightly sweep: one outbox message per group of organisations (ids only).

    Returns the number of chunks. Chunks are idempotent, so a retry or a second run on the
    same day opens nothing new.
    """
    day = as_of or timezone.localdate().isoformat()
    org = Organisation.objects.get(pk=org_id) if org_id is not None else None
    chunks = detection_chunks(org=org)
    with transaction.atomic():
        for org_ids in chunks:
            outbox_enqueue(DETECTION_CHUNK, {"org_ids": list(org_ids), "as_of": day})
    return len(chunks)


@shared_task(name="casework.tasks.audit_anchor_task", **RETRYING)
def audit_anchor_task() -> str:
    """Hourly: write the signed heads of every audit stream outside the database."""
    from casework.audit_anchors import anchor_write

    return anchor_write().name


@shared_task(name="casework.tasks.transfer_follow_ups_task", **RETRYING)
def transfer_follow_ups_task(as_of: str | None = None) -> int:
    """Daily: unreturned introduction-letter receipts past validity become follow-ups, each
    chased with a letter through the outbox (TRANSFER_CHASE)."""
    from casework.services.ledgers import transfer_follow_ups_create

    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    return transfer_follow_ups_create(as_of=day)


@shared_task(name="casework.tasks.dashboard_rollup_task", **RETRYING)
def dashboard_rollup_task(day: str | None = None) -> int:
    """Nightly: recompute the dashboard rollup (figures per organisation, every period)."""
    from casework.services.dashboard import dashboard_rollup_refresh

    return dashboard_rollup_refresh(day=dt.date.fromisoformat(day) if day else None)


@shared_task(name="casework.tasks.contact_due_reminders_task", **RETRYING)
def contact_due_reminders_task(as_of: str | None = None) -> int:
    """Daily: remind contact officers of members whose next contact is due (once a window)."""
    from casework.services.contact_duty import contact_due_remind

    return contact_due_remind(as_of=dt.date.fromisoformat(as_of) if as_of else timezone.localdate())
