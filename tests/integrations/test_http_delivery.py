"""Letters over the signed HTTP API: a real local endpoint verifies the HMAC signature."""

from __future__ import annotations

import base64

from casework.models import Inquiry, InquiryStatus
from integrations.models import DeliveryState
from integrations.services.delivery import letter_create
from tests.integrations.conftest import deliver_letter, http_channel, pdf_bytes
from tests.integrations.servers import DepartmentEndpoint


def test_a_letter_is_posted_signed_with_the_pdf_and_the_inquiries(
    iw, endpoint, django_capture_on_commit_callbacks
):
    http_channel(iw.department, endpoint.url)
    with django_capture_on_commit_callbacks(execute=True):
        letter = letter_create(department=iw.department, actor=iw.coordinator)

    letter.refresh_from_db()
    assert letter.state == DeliveryState.DELIVERED
    assert len(endpoint.calls) == 1
    call = endpoint.calls[0]
    assert call["signature_ok"] is True
    assert call["idempotency_key"] == letter.idempotency_key
    assert letter.idempotency_key.startswith("lianluo-letter-")
    body = call["json"]
    assert body["letter"]["number"] == letter.document_number
    assert base64.b64decode(body["pdf_base64"]) == pdf_bytes(letter.document_number)
    assert sorted(i["id"] for i in body["inquiries"]) == sorted(i.pk for i in iw.inquiries)
    assert all(Inquiry.objects.get(pk=i.pk).status == InquiryStatus.SENT for i in iw.inquiries)


def test_a_failing_endpoint_is_retried_and_accepts_the_letter_once(iw, settings):
    endpoint = DepartmentEndpoint("department-secret-key", fail_first=2)
    endpoint.start()
    try:
        http_channel(iw.department, endpoint.url)
        letter = letter_create(department=iw.department, actor=iw.coordinator)
        deliver_letter(letter)
        deliver_letter(letter)
    finally:
        endpoint.stop()

    letter.refresh_from_db()
    assert letter.state == DeliveryState.DELIVERED
    assert letter.attempts == 3
    assert len(endpoint.calls) == 3
    assert {c["idempotency_key"] for c in endpoint.calls} == {letter.idempotency_key}
    assert len(endpoint.accepted) == 1


def test_a_wrong_key_is_refused_by_the_department_and_not_retried(iw, endpoint):
    channel = http_channel(iw.department, endpoint.url)
    channel.hmac_key = "not-the-key"
    channel.save()
    letter = letter_create(department=iw.department, actor=iw.coordinator)
    deliver_letter(letter)

    letter.refresh_from_db()
    assert letter.state == DeliveryState.FAILED
    assert letter.attempts == 1
    assert letter.last_error == "HTTP 401"
    assert endpoint.accepted == []


def test_an_unreachable_endpoint_times_out_and_fails_after_retries(iw, settings):
    import socket

    settings.LIANLUO_DELIVERY_MAX_RETRIES = 1
    settings.LIANLUO_HTTP_TIMEOUT = 1
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(0)  # accepts the TCP connection, never answers
    try:
        http_channel(iw.department, f"http://127.0.0.1:{silent.getsockname()[1]}/x")
        letter = letter_create(department=iw.department, actor=iw.coordinator)
        deliver_letter(letter)
    finally:
        silent.close()
    letter.refresh_from_db()
    assert letter.state == DeliveryState.FAILED
    assert letter.attempts == 2
    assert "timed out" in letter.last_error
