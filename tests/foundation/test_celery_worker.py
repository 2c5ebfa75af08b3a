"""A real Celery worker consuming the real broker (Redis in CI)."""

import time
import uuid

import pytest

from casework.models import AuditEvent
from casework.tasks import worker_heartbeat


@pytest.mark.celery_worker
def test_a_task_sent_to_the_broker_is_run_by_a_real_worker(celery_worker: object) -> None:
    token = uuid.uuid4().hex
    worker_heartbeat.delay(token)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if AuditEvent.objects.filter(action="worker.heartbeat", after__token=token).exists():
            break
        time.sleep(0.2)
    else:
        pytest.fail("the worker did not run the task within 30 s")
    event = AuditEvent.objects.get(action="worker.heartbeat", after__token=token)
    assert event.stream == "system"


def test_without_a_broker_tasks_run_in_process(db: None) -> None:
    token = uuid.uuid4().hex
    assert worker_heartbeat.delay(token).get() == token
    assert AuditEvent.objects.filter(action="worker.heartbeat", after__token=token).count() == 1
