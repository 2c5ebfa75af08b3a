"""The signed answer webhook: 401 on bad signature or stale timestamp, 400 on malformed input,
one answer for duplicates, never a 500."""

from __future__ import annotations

import json
import time

import pytest

from casework.models import Inquiry, InquiryStatus
from integrations.models import ClueFollowUp, WebhookReceipt
from integrations.signing import sign
from tests.integrations.conftest import HMAC_KEY, http_channel

URL = "/integrations/webhooks/inquiry-answer"


@pytest.fixture
def sent(iw):
    http_channel(iw.department, "http://127.0.0.1:9/x")
    Inquiry.objects.filter(pk__in=[i.pk for i in iw.inquiries]).update(status=InquiryStatus.SENT)
    return iw


def post(client, department, payload, *, key=HMAC_KEY, ts=None, idem="k-1", raw=None):
    body = raw if raw is not None else json.dumps(payload).encode()
    timestamp = str(int(ts if ts is not None else time.time()))
    return client.post(
        URL,
        data=body,
        content_type="application/json",
        HTTP_X_LIANLUO_DEPARTMENT=str(department.pk),
        HTTP_X_LIANLUO_TIMESTAMP=timestamp,
        HTTP_X_LIANLUO_SIGNATURE=sign(key=key, timestamp=timestamp, body=body),
        HTTP_IDEMPOTENCY_KEY=idem,
    )


def test_a_signed_answer_is_recorded(client, sent):
    inquiry = sent.inquiries[0]
    response = post(client, sent.department, {"inquiry": inquiry.pk, "answer": "not_found"})
    assert response.status_code == 200
    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert stored.status == InquiryStatus.ANSWERED
    assert stored.answer == "not_found"


def test_a_bad_signature_is_401_and_changes_nothing(client, sent):
    inquiry = sent.inquiries[0]
    response = post(
        client, sent.department, {"inquiry": inquiry.pk, "answer": "found"}, key="wrong"
    )
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert Inquiry.objects.get(pk=inquiry.pk).status == InquiryStatus.SENT
    assert WebhookReceipt.objects.count() == 0


def test_a_replayed_old_request_is_refused(client, sent):
    inquiry = sent.inquiries[0]
    response = post(
        client, sent.department, {"inquiry": inquiry.pk, "answer": "found"}, ts=time.time() - 600
    )
    assert response.status_code == 401
    assert response.json()["code"] == "stale_timestamp"
    assert Inquiry.objects.get(pk=inquiry.pk).status == InquiryStatus.SENT


def test_a_duplicate_gives_the_same_single_answer(client, sent):
    inquiry = sent.inquiries[0]
    payload = {"inquiry": inquiry.pk, "answer": "clue", "details": {"phone": "13900001111"}}
    first = post(client, sent.department, payload)
    second = post(client, sent.department, payload)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert WebhookReceipt.objects.count() == 1
    assert ClueFollowUp.objects.filter(inquiry=inquiry).count() == 1


def test_a_reused_key_with_a_different_body_is_a_conflict(client, sent):
    inquiry = sent.inquiries[0]
    post(client, sent.department, {"inquiry": inquiry.pk, "answer": "not_found"})
    response = post(client, sent.department, {"inquiry": inquiry.pk, "answer": "found"})
    assert response.status_code == 409
    assert Inquiry.objects.get(pk=inquiry.pk).answer == "not_found"


def test_a_different_second_answer_under_a_new_key_is_a_conflict(client, sent):
    inquiry = sent.inquiries[0]
    post(client, sent.department, {"inquiry": inquiry.pk, "answer": "not_found"})
    response = post(client, sent.department, {"inquiry": inquiry.pk, "answer": "found"}, idem="k-2")
    assert response.status_code == 409
    assert Inquiry.objects.get(pk=inquiry.pk).answer == "not_found"


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b'{"answer": "found"}',
        b'{"inquiry": "x", "answer": "found"}',
        b'{"inquiry": 1, "answer": "found", "details": []}',
    ],
)
def test_malformed_bodies_are_400_problems(client, sent, raw):
    response = post(client, sent.department, None, raw=raw)
    assert response.status_code == 400
    assert response.json()["status"] == 400


def test_an_unknown_answer_value_is_400(client, sent):
    response = post(client, sent.department, {"inquiry": sent.inquiries[0].pk, "answer": "maybe"})
    assert response.status_code == 400


def test_an_inquiry_of_another_department_is_404(client, sent):
    other = Inquiry.objects.create(
        case=sent.cases[0], department=sent.other_department, status=InquiryStatus.SENT
    )
    response = post(client, sent.department, {"inquiry": other.pk, "answer": "found"})
    assert response.status_code == 404
    assert Inquiry.objects.get(pk=other.pk).status == InquiryStatus.SENT


def test_missing_headers_are_401_not_500(client, sent):
    response = client.post(URL, data=b"{}", content_type="application/json")
    assert response.status_code == 401
    assert client.get(URL).status_code == 405
