"""Faults injected into real components: PostgreSQL, a Redis of our own (stopped, started), a
Celery worker and beat (killed with SIGKILL), an SMTP server (killed before its reply).

Work caused by users is an outbox row committed with its cause; whatever happens to the
broker, the worker or the mail server, it is delivered, and delivered once."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from casework.models import (
    AuditEvent,
    Department,
    ImportStatus,
    Inquiry,
    Member,
    Notification,
    OutboxMessage,
    OutboxState,
)
from casework.services.cases import case_open
from casework.services.detection import detect_lost_contact
from casework.services.imports import import_job_start
from integrations.models import DeliveryState, InquiryLetter
from integrations.services.delivery import letter_create
from tests.factories import ScopeWorld, build_world, make_member, make_user, valid_id_number
from tests.integrations.conftest import email_channel, make_case, make_department, make_inquiry
from tests.integrations.faults import (
    BeatProcess,
    RedisProcess,
    SmtpSinkProcess,
    WorkerProcess,
    app_env,
    publishing_to,
    wait_for,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]
FONTS = Path(__file__).resolve().parents[2] / "var" / "fonts" / "fandol"


@dataclass
class Stack:
    redis: RedisProcess
    smtp: SmtpSinkProcess
    env: dict[str, str]
    logdir: Path
    workers: list[WorkerProcess]
    beat: BeatProcess

    def worker(self, name: str = "w1") -> WorkerProcess:
        worker = WorkerProcess(name, self.logdir, self.env)
        worker.start()
        self.workers.append(worker)
        return worker

    def logs(self) -> str:
        parts = [p.output()[-4000:] for p in (*self.workers, self.beat, self.smtp)]
        return "\n----\n".join(parts)


@pytest.fixture
def stack(tmp_path: Path, settings: object) -> Iterator[Stack]:
    var = tmp_path / "var"
    (var / "media").mkdir(parents=True)
    settings.MEDIA_ROOT = str(var / "media")  # type: ignore[attr-defined]
    settings.LIANLUO_LETTER_BACKEND = "integrations.letters.DocumentsLetterBackend"  # type: ignore[attr-defined]
    redis = RedisProcess(tmp_path)
    smtp = SmtpSinkProcess(tmp_path)
    env = app_env(
        redis.url,
        LIANLUO_VAR_DIR=str(var),
        LIANLUO_FONT_DIR=str(FONTS),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        EMAIL_TIMEOUT="5",
        LIANLUO_TEST_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        LIANLUO_DELIVERY_BACKOFF_SECONDS="1",
        LIANLUO_DELIVERY_BACKOFF_MAX_SECONDS="2",
        LIANLUO_DELIVERY_TIMEOUT_SECONDS="6",
        LIANLUO_OUTBOX_LEASE_SECONDS="6",
        LIANLUO_OUTBOX_SWEEP_SECONDS="1",
    )
    redis.start()
    beat = BeatProcess(tmp_path, env)
    beat.start()
    built = Stack(redis=redis, smtp=smtp, env=env, logdir=tmp_path, workers=[], beat=beat)
    try:
        with publishing_to(redis.url):
            yield built
    finally:
        for worker in built.workers:
            worker.stop()
        beat.stop()
        smtp.stop()
        redis.stop()


def _letter_world(world: ScopeWorld) -> tuple[Department, Inquiry]:
    department = make_department(world.department)
    inquiry = make_inquiry(make_case(world.branch, name="赵六"), department)
    email_channel(department)
    return department, inquiry


def _upload(rows: int) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "性别", "公民身份号码", "联系电话"])
    for i in range(rows):
        sheet.append([f"导入{i}", "男", valid_id_number(dt.date(1990, 2, 1 + i)), "13800000000"])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("members.xlsx", buffer.getvalue())


def _all_done() -> bool:
    return not OutboxMessage.objects.exclude(state=OutboxState.DONE).exists()


def test_work_created_while_the_broker_is_down_is_delivered_once_when_it_returns(
    stack: Stack,
) -> None:
    from workflows.models import CaseProcess

    world = build_world()
    department, _inquiry = _letter_world(world)
    member = make_member(world.branch, name="钱七")
    stack.smtp.start()
    stack.worker()
    stack.redis.stop()

    # Each succeeds for the user although nothing can be published (logged, not raised).
    letter = letter_create(department=department, actor=world.coordinator)
    case = case_open(member=member, actor=world.officer)
    job = import_job_start(
        organisation=world.branch,
        actor=world.secretary,
        upload=_upload(3),
        original_name="members.xlsx",
    )
    pending = OutboxMessage.objects.filter(state=OutboxState.PENDING)
    assert sorted(pending.values_list("kind", flat=True)) == [
        "case.processes_start",
        "document.render",
        "letter.deliver",
        "member_import.run",
    ]
    assert all("Error" in error for error in pending.values_list("last_error", flat=True))

    stack.redis.start()  # empty: the broker lost nothing because it never held anything
    try:
        wait_for(_all_done, timeout=120)
        wait_for(
            lambda: InquiryLetter.objects.get(pk=letter.pk).state == DeliveryState.SENT,
            timeout=60,
        )
    except AssertionError:
        print(stack.logs())
        raise
    assert CaseProcess.objects.filter(case_id=case.pk).count() == 1
    job.refresh_from_db()
    assert (job.status, job.created) == (ImportStatus.DONE, 3)
    assert Member.objects.filter(name__startswith="导入").count() == 3
    assert AuditEvent.objects.filter(action="member.import").count() == 1
    letter.refresh_from_db()
    copies = [m for m in stack.smtp.messages() if letter.document_number in str(m["Subject"])]
    assert len(copies) == 1
    assert AuditEvent.objects.filter(action="letter.sent", object_id=str(letter.pk)).count() == 1


def test_a_worker_killed_mid_send_leaves_the_letter_sent_once(stack: Stack) -> None:
    world = build_world()
    department, _inquiry = _letter_world(world)
    stack.smtp.start_with("--delay-reply", "30")  # receives the letter, answers slowly
    worker = stack.worker("doomed")
    letter = letter_create(department=department, actor=world.coordinator)
    try:
        wait_for(lambda: stack.smtp.messages(), timeout=120)  # the DATA is at the receiver
    except AssertionError:
        print(stack.logs())
        raise
    letter.refresh_from_db()
    assert letter.state == DeliveryState.SENDING
    worker.kill()  # SIGKILL mid-send: no reply read, no state written

    stack.smtp.stop()
    stack.smtp.start_with()  # the receiver answers at once from now on
    stack.worker("w2")
    try:
        wait_for(
            lambda: InquiryLetter.objects.get(pk=letter.pk).state == DeliveryState.SENT,
            timeout=90,
        )
    except AssertionError:
        print(stack.logs())
        raise
    letter.refresh_from_db()
    assert AuditEvent.objects.filter(action="letter.sent", object_id=str(letter.pk)).count() == 1
    received = stack.smtp.messages()
    assert len(received) == 2  # the killed attempt's copy and the successful one …
    assert {str(m["Message-ID"]) for m in received} == {str(received[0]["Message-ID"])}
    assert letter.idempotency_key in str(received[0]["Message-ID"])
    assert len(stack.smtp.received_once_per_message_id()) == 1  # … one letter to the receiver


def test_an_smtp_server_killed_before_its_reply_gets_one_message_per_message_id(
    stack: Stack,
) -> None:
    world = build_world()
    department, _inquiry = _letter_world(world)
    stack.smtp.start_with("--die-on-data")  # stores the message, dies before "250"
    stack.worker()
    letter = letter_create(department=department, actor=world.coordinator)
    try:
        wait_for(lambda: stack.smtp.messages() and stack.smtp.proc.poll() is not None, timeout=120)  # type: ignore[union-attr]
    except AssertionError:
        print(stack.logs())
        raise
    stack.smtp.start_with()  # back, healthy
    try:
        wait_for(
            lambda: InquiryLetter.objects.get(pk=letter.pk).state == DeliveryState.SENT,
            timeout=90,
        )
    except AssertionError:
        print(stack.logs())
        raise
    letter.refresh_from_db()
    assert letter.attempts >= 2
    received = stack.smtp.messages()
    assert len(received) >= 2
    kept = stack.smtp.received_once_per_message_id()
    assert list(kept) == [f"<{letter.idempotency_key}@localhost>"]
    assert AuditEvent.objects.filter(action="letter.sent", object_id=str(letter.pk)).count() == 1


def test_notification_emails_that_fail_part_way_are_retried_and_none_is_lost(
    stack: Stack,
) -> None:
    world = build_world()
    officers = [make_user(f"liaison{i}") for i in range(3)]
    for i, officer in enumerate(officers):
        officer.email = f"officer{i}@example.org"
        officer.save()
        make_member(world.branch, last_contact_date=dt.date(2025, 11, 1), contact_officer=officer)
    # the second officer's mailbox refuses the first delivery attempt (451, try later)
    stack.smtp.start_with("--refuse-once", "officer1@example.org")
    stack.worker()
    detect_lost_contact(as_of=dt.date(2026, 3, 1))
    assert Notification.objects.count() == 3
    try:
        wait_for(_all_done, timeout=90)
    except AssertionError:
        print(stack.logs())
        raise
    message = OutboxMessage.objects.get(kind="notification.email")
    assert message.attempts == 2
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    recipients = sorted(str(m["To"]) for m in stack.smtp.messages())
    assert recipients == [f"officer{i}@example.org" for i in range(3)]
