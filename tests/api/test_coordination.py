"""/api/v1/departments/, /letters/: the coordinator's screens as JSON, through the same
services (department_save, channel_configure, letters_create_for_signed, letter_resend,
print_queue_combine, letter_reply_upload). A case's signed inquiries are sent and answered
with no HTML view."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from casework.models import AuditEvent, Department, Inquiry, InquiryStatus
from casework.services import inquiries as inq
from integrations.models import DeliveryState, DepartmentChannel, InquiryLetter
from tests.casework.case_helpers import make_department, make_liaison
from tests.factories import make_member
from tests.integrations.conftest import FixtureLetterBackend

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _letters(settings, tmp_path):
    settings.LIANLUO_LETTER_BACKEND = "tests.integrations.conftest.FixtureLetterBackend"
    settings.MEDIA_ROOT = str(tmp_path)
    FixtureLetterBackend.issued = []


def _signed_inquiry(world, department):
    from casework.services.cases import case_open

    member = make_member(world.branch, name="赵六")
    case = case_open(member=member, actor=world.officer)
    (inquiry,) = inq.inquiry_request(case=case, departments=[department], actor=world.coordinator)
    return inq.inquiry_sign(inquiry=inquiry, actor=world.coordinator)


def test_a_coordinator_adds_edits_and_lists_departments(world, client_for) -> None:
    client = client_for(world.coordinator)
    body = {
        "organisation": world.department.pk,
        "kind": "public_security",
        "name": "测试公安局",
        "office": "户政科",
        "contact_person": "陈警官",
        "answer_days": 7,
    }
    created = client.post("/api/v1/departments/", body, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["channel"] is None and created.json()["is_active"] is True
    assert AuditEvent.objects.filter(action="department.create").count() == 1

    changed = client.put(f"/api/v1/departments/{pk}/", {**body, "answer_days": 12}, format="json")
    assert changed.status_code == 200 and changed.json()["answer_days"] == 12
    assert Department.objects.get(pk=pk).answer_days == 12
    listed = client.get("/api/v1/departments/").json()["results"]
    assert [d["id"] for d in listed] == [pk]

    too_long = client.post("/api/v1/departments/", {**body, "answer_days": 61}, format="json")
    assert too_long.status_code == 400 and "answer_days" in too_long.json()["errors"]
    elsewhere = client.post(
        "/api/v1/departments/", {**body, "organisation": world.committee.pk}, format="json"
    )
    assert elsewhere.status_code == 422 and "organisation" in elsewhere.json()["errors"]


def test_only_coordinators_see_and_change_departments(world, client_for) -> None:
    department = make_department(world.department)
    officer = client_for(world.officer)
    assert officer.get("/api/v1/departments/").json()["results"] == []
    assert officer.get(f"/api/v1/departments/{department.pk}/").status_code == 404
    refused = officer.put(
        f"/api/v1/departments/{department.pk}/channel/", {"kind": "manual"}, format="json"
    )
    assert refused.status_code == 404
    assert not DepartmentChannel.objects.exists()


def test_a_channel_is_configured_and_its_key_never_shown(world, client_for) -> None:
    department = make_department(world.department)
    client = client_for(world.coordinator)
    url = f"/api/v1/departments/{department.pk}/channel/"
    assert client.get(url).status_code == 404
    no_email = client.put(url, {"kind": "email"}, format="json")
    assert no_email.status_code == 422 and "email" in no_email.json()["errors"]
    no_key = client.put(url, {"kind": "http", "endpoint_url": "https://x.cn/in"}, format="json")
    assert no_key.status_code == 422 and no_key.json()["code"] == "http_settings_required"
    http = client.put(
        url,
        {
            "kind": "http",
            "endpoint_url": "https://x.cn/in",
            "hmac_key": "k" * 20,
            "lookups": ["tax"],
        },
        format="json",
    )
    assert http.status_code == 200, http.json()
    assert http.json()["has_key"] is True and "hmac_key" not in http.json()
    assert client.get(url).json()["lookups"] == ["tax"]
    manual = client.put(url, {"kind": "manual"}, format="json")
    assert manual.json()["kind"] == "manual"
    assert DepartmentChannel.objects.get(department=department).kind == "manual"


def test_signed_inquiries_are_sent_printed_answered_and_the_reply_filed(world, client_for) -> None:
    department = make_department(world.department)
    inquiry = _signed_inquiry(world, department)  # no channel yet: stays signed, no letter
    liaison = make_liaison("liaison", department)
    coordinator = client_for(world.coordinator)

    skipped = coordinator.post("/api/v1/letters/send/")
    assert skipped.status_code == 200
    assert skipped.json()["created"] == 0
    assert skipped.json()["skipped_departments"] == [department.pk]

    coordinator.put(
        f"/api/v1/departments/{department.pk}/channel/", {"kind": "manual"}, format="json"
    )
    sent = coordinator.post("/api/v1/letters/send/").json()
    assert sent["created"] == 1 and sent["skipped_departments"] == []
    (letter,) = sent["letters"]
    assert letter["inquiries"] == [inquiry.pk] and letter["state"] == "queued"
    queue = coordinator.get("/api/v1/letters/print-queue/").json()["results"]
    assert [row["id"] for row in queue] == [letter["id"]]
    assert client_for(liaison).get("/api/v1/inquiries/").json()["results"] == []

    printed = coordinator.post("/api/v1/letters/print/")
    assert printed.status_code == 200 and printed["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(printed.content)).pages) == 1
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.SENT and inquiry.sent_at is not None
    empty = coordinator.post("/api/v1/letters/print/")
    assert empty.status_code == 409 and empty.json()["code"] == "queue_empty"

    liaison_client = client_for(liaison)
    (row,) = liaison_client.get("/api/v1/inquiries/").json()["results"]
    assert row["id"] == inquiry.pk
    answered = liaison_client.post(
        f"/api/v1/inquiries/{inquiry.pk}/answer/", {"answer": "not_found"}, format="json"
    )
    assert answered.status_code == 200 and answered.json()["answer"] == "not_found"

    reply = coordinator.post(
        f"/api/v1/letters/{letter['id']}/reply/",
        {"scan": SimpleUploadedFile("回函.pdf", b"%PDF scan", "application/pdf")},
        format="multipart",
    )
    assert reply.status_code == 200, reply.json()
    assert reply.json()["state"] == "delivered" and reply.json()["has_reply_scan"] is True
    assert InquiryLetter.objects.get().reply_scan.read() == b"%PDF scan"
    assert AuditEvent.objects.filter(action="letter.reply_scan").count() == 1
    listed = coordinator.get("/api/v1/letters/", {"state": "delivered"}).json()["results"]
    assert [row["id"] for row in listed] == [letter["id"]]


def test_only_a_failed_letter_is_resent(world, client_for) -> None:
    department = make_department(world.department)
    DepartmentChannel.objects.create(department=department, kind="manual")
    _signed_inquiry(world, department)  # the channel exists: the letter is made at signing
    letter = InquiryLetter.objects.get()
    client = client_for(world.coordinator)
    refused = client.post(f"/api/v1/letters/{letter.pk}/resend/")
    assert refused.status_code == 409 and refused.json()["code"] == "not_failed"
    InquiryLetter.objects.filter(pk=letter.pk).update(state=DeliveryState.FAILED)
    again = client.post(f"/api/v1/letters/{letter.pk}/resend/")
    assert again.status_code == 200 and again.json()["state"] == "queued"
    assert client_for(world.officer).post(f"/api/v1/letters/{letter.pk}/resend/").status_code == 404


def test_a_drafted_inquiry_is_signed_by_the_coordinator_only(world, client_for) -> None:
    from casework.services.cases import case_open

    department = make_department(world.department)
    case = case_open(member=make_member(world.branch, name="钱七"), actor=world.officer)
    (inquiry,) = inq.inquiry_request(case=case, departments=[department], actor=world.coordinator)
    refused = client_for(world.officer).post(f"/api/v1/inquiries/{inquiry.pk}/sign/")
    assert refused.status_code == 403
    signed = client_for(world.coordinator).post(f"/api/v1/inquiries/{inquiry.pk}/sign/")
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    assert Inquiry.objects.get(pk=inquiry.pk).status == InquiryStatus.SIGNED
    twice = client_for(world.coordinator).post(f"/api/v1/inquiries/{inquiry.pk}/sign/")
    assert twice.status_code == 409
