"""Thin Celery tasks of the domain: they take ids, call a service, and own their retries."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError, transaction

from casework.audit import audit_record


@shared_task(name="casework.tasks.worker_heartbeat", acks_late=True)
def worker_heartbeat(token: str) -> str:
    """Append a `worker.heartbeat` audit event: proof that a worker consumed the broker."""
    with transaction.atomic():
        audit_record(actor=None, action="worker.heartbeat", after={"token": token})
    return token


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
