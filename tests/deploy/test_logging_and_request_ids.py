"""JSON logs, and the request id carried from a web request into the Celery task it enqueues."""

import json
import logging
import time
import uuid
from typing import Any

import pytest
from celery import signals
from django.test import Client

from casework.models import AuditEvent
from casework.tasks import worker_heartbeat
from web.jsonlog import JsonFormatter
from web.middleware import RequestIdFilter, current_request_id, request_id_var
from web.task_context import HEADER


def _record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "lianluo.test", "levelname": "INFO", "msg": message})
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_a_log_record_becomes_one_json_object_with_the_request_id() -> None:
    token = request_id_var.set("req-12345678")
    try:
        record = _record("案件已登记", case_id=7)
        RequestIdFilter().filter(record)
        line = JsonFormatter().format(record)
    finally:
        request_id_var.reset(token)
    payload = json.loads(line)
    assert "\n" not in line
    assert payload["message"] == "案件已登记"
    assert payload["request_id"] == "req-12345678"
    assert payload["level"] == "INFO"
    assert payload["case_id"] == 7


def test_publishing_a_task_inside_a_request_puts_the_request_id_in_its_headers() -> None:
    headers: dict[str, object] = {}
    token = request_id_var.set("req-abcdefgh")
    try:
        signals.before_task_publish.send(sender="casework.tasks.worker_heartbeat", headers=headers)
    finally:
        request_id_var.reset(token)
    assert headers[HEADER] == "req-abcdefgh"


def test_publishing_outside_a_request_adds_no_header() -> None:
    headers: dict[str, object] = {}
    signals.before_task_publish.send(sender="x", headers=headers)
    assert HEADER not in headers


def test_the_worker_restores_the_request_id_for_the_task_and_clears_it_after() -> None:
    class FakeRequest:
        lianluo_request_id = "req-fromheader"

    class FakeTask:
        request = FakeRequest()
        name = "casework.tasks.worker_heartbeat"

    signals.task_prerun.send(sender=FakeTask, task_id="t1", task=FakeTask())
    assert current_request_id() == "req-fromheader"
    signals.task_postrun.send(sender=FakeTask, task_id="t1", task=FakeTask(), state="SUCCESS")
    assert current_request_id() == "-"


def test_a_response_echoes_a_valid_incoming_request_id(client: Client) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-0123456789abcdef")
    assert response["X-Request-ID"] == "nginx-0123456789abcdef"


@pytest.mark.celery_worker
def test_a_real_worker_records_the_request_id_of_the_enqueuing_request(
    celery_worker: object,
) -> None:
    token_value = uuid.uuid4().hex
    request_id = f"req-{uuid.uuid4().hex[:12]}"
    token = request_id_var.set(request_id)
    try:
        worker_heartbeat.delay(token_value)
    finally:
        request_id_var.reset(token)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        event = AuditEvent.objects.filter(
            action="worker.heartbeat", after__token=token_value
        ).first()
        if event is not None:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the worker did not run the task within 30 s")
    assert event.request_id == request_id


def test_plain_log_lines_carry_an_iso_8601_time_with_its_offset() -> None:
    import datetime as dt
    import re

    from django.conf import settings

    from web.logformat import PlainFormatter

    config: Any = settings.LOGGING
    spec = config["formatters"]["plain"]
    formatter = PlainFormatter(spec["format"])
    record = _record("案件已登记")
    RequestIdFilter().filter(record)
    line = formatter.format(record)
    stamp = line.split(" ", 1)[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", stamp), line
    moment = dt.datetime.fromisoformat(stamp)
    assert abs(moment.timestamp() - record.created) < 0.002
    assert line.endswith("INFO lianluo.test [-] 案件已登记")
    # runserver's request lines go through the same handler (not Django's zone-less format)
    assert config["loggers"]["django.server"]["handlers"] == ["console"]


def test_in_process_tasks_log_no_broker_hostname_warning(caplog: pytest.LogCaptureFixture) -> None:
    """With no broker configured the stand-in names a host: kombu stays quiet."""
    from django.conf import settings

    from settings.celery import app

    assert settings.CELERY_TASK_ALWAYS_EAGER
    with caplog.at_level(logging.WARNING, logger="kombu"), app.connection_for_write() as connection:
        connection.as_uri()  # what an eager .delay() reads: the connection's info
    assert not [r for r in caplog.records if "hostname" in r.getMessage()]
