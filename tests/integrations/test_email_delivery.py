"""Letters by email: a real SMTP server receives the PDF exactly once, through faults."""

from __future__ import annotations

import pytest

from casework.models import AuditEvent, Inquiry, InquiryStatus
from integrations.models import CoordinatorNotification, DeliveryState, InquiryLetter
from integrations.services.delivery import DeliveryRetry, letter_create, letter_deliver
from tests.integrations.conftest import deliver_letter, email_channel, pdf_bytes


def test_a_signed_batch_is_emailed_with_the_pdf_attached(
    iw, smtp, django_capture_on_commit_callbacks
):
    email_channel(iw.department)
    with django_capture_on_commit_callbacks(execute=True):
        letter = letter_create(department=iw.department, actor=iw.coordinator)

    letter.refresh_from_db()
    assert letter.state == DeliveryState.SENT
    assert letter.attempts == 1
    assert set(letter.inquiries.all()) == set(iw.inquiries)
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == ["xiecha@rsj.example.gov.cn"]
    assert letter.document_number in message["Subject"]
    attachments = [part for part in message.iter_attachments()]
    assert [a.get_filename() for a in attachments] == [f"letter-{letter.document_id}.pdf"]
    assert attachments[0].get_payload(decode=True) == pdf_bytes(letter.document_number)
    for inquiry in iw.inquiries:
        inquiry = Inquiry.objects.get(pk=inquiry.pk)
        assert inquiry.status == InquiryStatus.SENT
    assert AuditEvent.objects.filter(action="letter.sent", object_id=str(letter.pk)).count() == 1


def test_the_letter_arrives_once_when_the_smtp_server_was_down_at_first(iw, smtp):
    email_channel(iw.department)
    letter = letter_create(department=iw.department, actor=iw.coordinator)
    smtp.stop()

    with pytest.raises(DeliveryRetry):
        letter_deliver(letter_id=letter.pk)
    letter.refresh_from_db()
    assert letter.state == DeliveryState.QUEUED
    assert letter.attempts == 1
    assert "ConnectionRefused" in letter.last_error

    smtp.start()
    deliver_letter(letter)  # the retry
    deliver_letter(letter)  # a duplicate delivery of the outbox message

    letter.refresh_from_db()
    assert letter.state == DeliveryState.SENT
    assert letter.attempts == 2
    assert len(smtp.messages) == 1
    # the Message-ID is the letter's, whichever attempt got through (a receiver can de-duplicate)
    assert smtp.messages[0][1]["Message-ID"] == f"<{letter.idempotency_key}@localhost>"


def test_a_letter_is_failed_and_the_coordinator_told_after_the_last_retry(iw, smtp, settings):
    settings.LIANLUO_DELIVERY_MAX_RETRIES = 2
    email_channel(iw.department)
    letter = letter_create(department=iw.department, actor=iw.coordinator)
    smtp.stop()

    deliver_letter(letter)  # in-process: retries run at once until exhausted

    letter.refresh_from_db()
    assert letter.state == DeliveryState.FAILED
    assert letter.attempts == 3
    notice = CoordinatorNotification.objects.get(letter=letter)
    assert notice.organisation == iw.world.department
    assert notice.kind == "letter_failed"
    for inquiry in iw.inquiries:
        inquiry = Inquiry.objects.get(pk=inquiry.pk)
        assert inquiry.status == InquiryStatus.SIGNED


def test_signed_inquiries_go_into_one_letter_only(iw, smtp):
    email_channel(iw.department)
    letter_create(department=iw.department, actor=iw.coordinator)
    from casework.errors import Conflict

    with pytest.raises(Conflict):
        letter_create(department=iw.department, actor=iw.coordinator)
    assert InquiryLetter.objects.count() == 1


def test_an_outsider_cannot_create_a_letter(iw, smtp):
    from casework.errors import NotFound

    email_channel(iw.department)
    with pytest.raises(NotFound):
        letter_create(department=iw.department, actor=iw.world.outsider)
    assert InquiryLetter.objects.count() == 0


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_with_backoff_and_delivers_once(celery_worker, settings):
    import time

    from tests.factories import build_world
    from tests.integrations.conftest import make_case, make_department, make_inquiry
    from tests.integrations.servers import SmtpServer

    world = build_world()
    department = make_department(world.department)
    make_inquiry(make_case(world.branch), department)
    email_channel(department)
    server = SmtpServer()
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 2
    letter = letter_create(department=department, actor=world.coordinator)  # enqueues at commit
    time.sleep(0.5)
    server.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            letter.refresh_from_db()
            if letter.state == DeliveryState.SENT:
                break
            time.sleep(0.2)
        assert letter.state == DeliveryState.SENT
        assert letter.attempts >= 2
        time.sleep(1)
        assert len(server.messages) == 1
    finally:
        server.stop()


def test_the_real_documents_letter_is_numbered_rendered_and_emailed(
    iw, smtp, settings, django_capture_on_commit_callbacks
):
    import hashlib

    from documents.models import Document

    settings.LIANLUO_LETTER_BACKEND = "integrations.letters.DocumentsLetterBackend"
    email_channel(iw.department)
    with django_capture_on_commit_callbacks(execute=True):
        letter = letter_create(department=iw.department, actor=iw.coordinator)

    letter.refresh_from_db()
    document = Document.objects.get(pk=letter.document_id or 0)
    assert document.kind == "inquiry_letter"
    assert letter.document_number == document.number
    assert letter.state == DeliveryState.SENT
    attachment = next(smtp.messages[0][1].iter_attachments()).get_payload(decode=True)
    assert attachment.startswith(b"%PDF")
    assert hashlib.sha256(attachment).hexdigest() == document.sha256


def test_a_letter_waits_for_its_document_to_be_rendered(iw, smtp, settings):
    from integrations.letters import LetterNotReady, letter_backend

    settings.LIANLUO_LETTER_BACKEND = "integrations.letters.DocumentsLetterBackend"
    email_channel(iw.department)
    letter = letter_create(department=iw.department, actor=iw.coordinator)  # no commit: no render
    with pytest.raises(LetterNotReady):
        letter_backend().load(document_id=letter.document_id, number=letter.document_number)
    with pytest.raises(DeliveryRetry):
        letter_deliver(letter_id=letter.pk)
    letter.refresh_from_db()
    assert letter.state == DeliveryState.QUEUED
    assert smtp.messages == []
