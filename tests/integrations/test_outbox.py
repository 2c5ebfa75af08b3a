"""The outbox in-process: rows commit with their cause, the relay never fails a request,
claims carry a lease, and retries, deferrals and dead letters are recorded on the row."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from casework.models import Notification, OutboxMessage, OutboxState
from casework.outbox import outbox_enqueue
from integrations import outbox
from integrations.models import DeliveryState
from integrations.services.delivery import letter_create
from tests.factories import make_user
from tests.integrations.conftest import email_channel

calls: list[dict[str, Any]] = []


def _record(payload: dict[str, Any], attempt: outbox.Attempt) -> None:
    calls.append({**payload, "attempt": attempt.number, "final": attempt.final})
    failures = payload.get("fail", 0)
    if attempt.number <= failures:
        raise outbox.Retry(f"failure {attempt.number}")


@pytest.fixture(autouse=True)
def _test_kind() -> None:
    calls.clear()
    outbox.handler_register("test.record", _record)


def _broker_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    monkeypatch.setattr("integrations.tasks.outbox_deliver.apply_async", refuse)


def test_a_message_is_delivered_after_its_transaction_commits(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        message = outbox_enqueue("test.record", {"id": 7})
        assert calls == []  # nothing leaves the process before the commit
    assert len(callbacks) == 1
    assert calls == [{"id": 7, "attempt": 1, "final": False}]
    message.refresh_from_db()
    assert (message.state, message.attempts, message.done_at is not None) == ("done", 1, True)


def test_a_rolled_back_cause_leaves_no_message(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        outbox_enqueue("test.record", {"id": 1})
        raise ZeroDivisionError
    assert not OutboxMessage.objects.exists()
    assert calls == []


@pytest.mark.parametrize(
    "payload",
    [{"name": "张三" * 40}, {"member": {"id": 1}}, {"ids": [1, "13800138000"]}, {"x": 1.5}],
)
def test_only_ids_and_short_codes_travel(db: None, payload: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        outbox_enqueue("test.record", payload)


def test_a_broker_outage_never_reaches_the_request_and_the_sweep_delivers_later(
    iw: Any, smtp: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    email_channel(iw.department)
    with monkeypatch.context() as patched:
        _broker_down(patched)
        with django_capture_on_commit_callbacks(execute=True):
            letter = letter_create(department=iw.department, actor=iw.coordinator)
    message = OutboxMessage.objects.get(kind="letter.deliver")
    assert message.state == OutboxState.PENDING
    assert "Connection refused" in message.last_error
    assert letter.state == DeliveryState.QUEUED and smtp.messages == []

    report = outbox.outbox_sweep()  # the broker is back (in-process here)
    assert (report.due, report.published, report.broker_down) == (1, 1, False)
    letter.refresh_from_db()
    assert letter.state == DeliveryState.SENT
    assert len(smtp.messages) == 1


def test_the_sweep_stops_at_the_first_broker_failure(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(3):
        outbox_enqueue("test.record", {"id": i})  # never relayed: the test transaction
    _broker_down(monkeypatch)
    report = outbox.outbox_sweep()
    assert (report.due, report.published, report.broker_down) == (3, 0, True)
    assert OutboxMessage.objects.filter(state=OutboxState.PENDING).count() == 3


def test_a_second_message_for_the_same_row_does_nothing(db: None) -> None:
    message = outbox_enqueue("test.record", {"id": 1})
    assert outbox.deliver(message.pk) == "done"
    assert outbox.deliver(message.pk) == "skipped"
    assert len(calls) == 1


def test_a_live_lease_is_respected_and_an_expired_one_returns_to_the_queue(db: None) -> None:
    message = outbox_enqueue("test.record", {"id": 1})
    lease_end = timezone.now() + dt.timedelta(minutes=5)
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=OutboxState.RUNNING, available_at=lease_end, attempts=1
    )
    assert outbox.outbox_sweep().due == 0  # a worker holds it
    assert outbox.deliver(message.pk) == "skipped"
    OutboxMessage.objects.filter(pk=message.pk).update(
        available_at=timezone.now() - dt.timedelta(seconds=1)
    )  # that worker died: its lease ran out
    assert outbox.outbox_sweep().published == 1
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxState.DONE, 2)
    assert calls == [{"id": 1, "attempt": 2, "final": False}]


def test_failures_are_retried_with_backoff_and_the_last_one_is_final(
    db: None, settings: Any
) -> None:
    settings.LIANLUO_DELIVERY_MAX_RETRIES = 2
    settings.LIANLUO_DELIVERY_BACKOFF_SECONDS = 30
    message = outbox_enqueue("test.record", {"fail": 5})
    before = timezone.now()
    assert outbox.deliver(message.pk) == "retry"
    message.refresh_from_db()
    assert message.state == OutboxState.PENDING
    assert message.last_error == "Retry: failure 1"
    assert message.available_at >= before + dt.timedelta(seconds=30)
    assert outbox.deliver(message.pk) == "skipped"  # not due yet
    assert outbox.deliver(message.pk, eager=True) == "skipped"

    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now())
    assert outbox.deliver(message.pk, eager=True) == "failed"  # attempts 2 and 3, at once
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxState.FAILED, 3)
    assert [c["final"] for c in calls] == [False, False, True]


def test_a_deferral_does_not_count_as_an_attempt(db: None) -> None:
    def busy(payload: dict[str, Any], attempt: outbox.Attempt) -> None:
        raise outbox.Defer("someone else has it", seconds=60)

    outbox.handler_register("test.busy", busy)
    message = outbox_enqueue("test.busy", {"id": 1})
    assert outbox.deliver(message.pk) == "deferred"
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxState.PENDING, 0)
    assert message.available_at > timezone.now() + dt.timedelta(seconds=50)


def test_an_unknown_kind_is_retried_then_left_failed_for_a_person(db: None, settings: Any) -> None:
    settings.LIANLUO_DELIVERY_MAX_RETRIES = 1
    message = outbox_enqueue("test.nobody_handles_this", {"id": 1})
    assert outbox.deliver(message.pk, eager=True) == "failed"
    message.refresh_from_db()
    assert "no handler" in message.last_error


def test_acknowledged_messages_are_purged_after_the_keep_period(db: None, settings: Any) -> None:
    settings.LIANLUO_OUTBOX_KEEP_DAYS = 7
    message = outbox_enqueue("test.record", {"id": 1})
    outbox.deliver(message.pk)
    OutboxMessage.objects.filter(pk=message.pk).update(
        done_at=timezone.now() - dt.timedelta(days=8)
    )
    assert outbox.outbox_sweep().purged == 1
    assert not OutboxMessage.objects.exists()


def test_the_request_id_of_the_cause_travels_with_the_message(db: None) -> None:
    from casework.request_id import current_request_id, request_id_set

    seen: list[str] = []
    outbox.handler_register("test.rid", lambda payload, attempt: seen.append(current_request_id()))
    with request_id_set("req-0123456789"):
        message = outbox_enqueue("test.rid", {"id": 1})
    outbox.deliver(message.pk)
    assert seen == ["req-0123456789"]


def test_notifications_are_marked_emailed_only_after_their_email_went_out(
    world: Any, monkeypatch: pytest.MonkeyPatch, mailoutbox: Any
) -> None:
    from integrations.email import client

    users = [make_user(f"u{i}") for i in range(3)]
    for i, user in enumerate(users):
        user.email = f"u{i}@example.org"
        user.save()
    notes = [
        Notification.objects.create(user_id=u.pk, kind="k", title=f"提醒{i}")
        for i, u in enumerate(users)
    ]
    real = client.send_notice
    failing = {"u1@example.org"}

    def flaky(**kwargs: Any) -> client.EmailResult:
        if kwargs["to"] in failing:
            failing.discard(kwargs["to"])
            return client.EmailResult(ok=False, error="SMTPRecipientsRefused: 451")
        return real(**kwargs)

    monkeypatch.setattr(client, "send_notice", flaky)
    message = outbox_enqueue("notification.email", {"notification_ids": [n.pk for n in notes]})
    assert outbox.deliver(message.pk) == "retry"
    emailed = set(
        Notification.objects.filter(emailed_at__isnull=False).values_list("user_id", flat=True)
    )
    assert emailed == {users[0].pk, users[2].pk}  # the failed one is not marked
    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now())
    assert outbox.deliver(message.pk) == "done"
    assert sorted(m.to[0] for m in mailoutbox) == [u.email for u in users]  # once each
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_sending_letters_from_the_page_with_the_broker_down_is_not_a_server_error(
    client: Any, iw: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    """Issue #17, item 1: the work was saved, so the user gets the page, not a 500."""
    email_channel(iw.department)
    _broker_down(monkeypatch)
    client.force_login(iw.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/coordination/letters/send/")
    assert response.status_code == 302
    message = OutboxMessage.objects.get(kind="letter.deliver")
    assert message.state == OutboxState.PENDING  # waiting for the sweep, not lost


def _import_job(world: Any) -> Any:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from casework.services.imports import import_job_start
    from tests.factories import valid_id_number

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "性别", "公民身份号码", "联系电话"])
    sheet.append(["导入甲", "男", valid_id_number(dt.date(1990, 3, 3)), "13800000000"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("m.xlsx", buffer.getvalue())
    return import_job_start(
        organisation=world.branch, actor=world.secretary, upload=upload, original_name="m.xlsx"
    )


def test_an_import_left_running_by_a_killed_worker_is_taken_over(
    world: Any, settings: Any, tmp_path: Any
) -> None:
    from casework.models import ImportJob, ImportStatus, Member

    settings.MEDIA_ROOT = str(tmp_path)
    job = _import_job(world)
    message = OutboxMessage.objects.get(kind="member_import.run")
    # the first attempt claimed both, then its worker was killed (nothing else happened)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=OutboxState.RUNNING, attempts=1, available_at=timezone.now()
    )
    assert outbox.outbox_sweep().published == 1
    job.refresh_from_db()
    assert (job.status, job.created) == (ImportStatus.DONE, 1)
    assert Member.objects.filter(name="导入甲").count() == 1


def test_an_import_that_breaks_ends_failed_not_running(
    world: Any, settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casework.models import ImportJob, ImportStatus

    settings.MEDIA_ROOT = str(tmp_path)

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("casework.services.imports.import_members", broken)
    job = _import_job(world)
    outbox.outbox_sweep()
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.message == "导入中断，请重新上传。"
    assert ImportJob.objects.filter(status=ImportStatus.RUNNING).count() == 0
