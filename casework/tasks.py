"""Thin Celery tasks of the domain: they take ids, call a service, and own their retries."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from casework.audit import audit_record


@shared_task(name="casework.tasks.worker_heartbeat", acks_late=True)
def worker_heartbeat(token: str) -> str:
    """Append a `worker.heartbeat` audit event: proof that a worker consumed the broker."""
    with transaction.atomic():
        audit_record(actor=None, action="worker.heartbeat", after={"token": token})
    return token
