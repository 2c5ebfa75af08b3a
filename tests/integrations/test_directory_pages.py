"""Coordinators manage the department directory of their organisation department."""

from __future__ import annotations

import io

from pypdf import PdfReader

from casework.models import AuditEvent, Department, Inquiry, InquiryStatus
from integrations.models import ChannelKind, DeliveryState, DepartmentChannel, InquiryLetter
from tests.factories import make_org, make_user
from tests.integrations.conftest import make_department, set_channel


def test_a_coordinator_sets_an_http_channel_and_lookups(client, iw):
    client.force_login(iw.coordinator)
    page = client.get("/coordination/")
    assert page.status_code == 200
    assert iw.department.name in page.content.decode()
    response = client.post(
        f"/coordination/departments/{iw.department.pk}/channel/",
        {
            "kind": "http",
            "endpoint_url": "https://api.rsj.example.gov.cn/inquiries",
            "hmac_key": "s3cret",
            "lookups": ["social_insurance", "medical_insurance"],
            "reminders_enabled": "on",
        },
    )
    assert response.status_code == 302
    channel = DepartmentChannel.objects.get(department=iw.department)
    assert channel.kind == ChannelKind.HTTP
    assert channel.hmac_key == "s3cret"
    assert channel.lookups == ["social_insurance", "medical_insurance"]
    event = AuditEvent.objects.get(action="department.channel")
    assert "s3cret" not in str(event.after)
    # the key is stored encrypted and never shown again
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select hmac_key from integrations_departmentchannel")
        assert "s3cret" not in cursor.fetchone()[0]
    form = client.get(f"/coordination/departments/{iw.department.pk}/channel/")
    assert "s3cret" not in form.content.decode()


def test_an_http_channel_without_a_key_is_refused_on_the_form(client, iw):
    client.force_login(iw.coordinator)
    response = client.post(
        f"/coordination/departments/{iw.department.pk}/channel/",
        {"kind": "http", "endpoint_url": "https://x.example.cn/"},
        follow=True,
    )
    assert "接口方式需要接口地址和签名密钥" in response.content.decode()
    assert not DepartmentChannel.objects.exists()


def test_another_organisation_departments_directory_is_out_of_reach(client, iw):
    elsewhere = make_org("另一组织部", "department")
    foreign = make_department(elsewhere, name="外地公安局")
    client.force_login(iw.coordinator)
    assert foreign.name not in client.get("/coordination/").content.decode()
    assert client.get(f"/coordination/departments/{foreign.pk}/channel/").status_code == 404
    outsider = make_user("coord2", "coordinator", elsewhere)
    client.force_login(outsider)
    assert (
        client.post(
            f"/coordination/departments/{iw.department.pk}/channel/", {"kind": "manual"}
        ).status_code
        == 404
    )
    assert Department.objects.count() == 3


def test_letters_are_batched_from_the_page_and_failures_are_shown(
    client, iw, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_PORT = 1  # nothing listens there
    settings.EMAIL_TIMEOUT = 1
    settings.LIANLUO_DELIVERY_MAX_RETRIES = 0
    set_channel(iw.department, "email", email="a@b.cn")
    client.force_login(iw.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/coordination/letters/send/")
    assert response.status_code == 302
    letter = InquiryLetter.objects.get()
    assert letter.state == DeliveryState.FAILED
    letter_page = client.get("/coordination/letters/")
    assert 'data-state="failed"' in letter_page.content.decode()
    assert "发送失败" in letter_page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/coordination/letters/{letter.pk}/resend/")
    letter.refresh_from_db()
    assert letter.state == DeliveryState.FAILED
    assert letter.attempts == 1


def test_manual_letters_print_as_one_pdf_and_take_a_scanned_reply(client, iw):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from integrations.services.delivery import letter_create

    set_channel(iw.department, "manual")
    set_channel(iw.other_department, "manual")
    Inquiry.objects.create(
        case=iw.cases[0], department=iw.other_department, status=InquiryStatus.SIGNED
    )
    letter_create(department=iw.department, actor=iw.coordinator)
    letter_create(department=iw.other_department, actor=iw.coordinator)
    client.force_login(iw.coordinator)
    assert client.get("/coordination/letters/print/").status_code == 200
    response = client.post("/coordination/letters/print/")
    assert response["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 2
    assert all(letter.printed_at for letter in InquiryLetter.objects.all())
    assert all(Inquiry.objects.get(pk=i.pk).status == InquiryStatus.SENT for i in iw.inquiries)
    letter = InquiryLetter.objects.get(department=iw.department)
    upload = client.post(
        f"/coordination/letters/{letter.pk}/reply/",
        {"scan": SimpleUploadedFile("回函.pdf", b"%PDF scan", "application/pdf")},
    )
    assert upload.status_code == 302
    letter.refresh_from_db()
    assert letter.state == DeliveryState.DELIVERED
    assert letter.reply_scan.read() == b"%PDF scan"
    assert client.post("/coordination/letters/print/", follow=True).status_code == 200


def test_a_coordinator_adds_and_edits_a_department(client, iw):
    client.force_login(iw.coordinator)
    assert client.get("/coordination/departments/new/").status_code == 200
    response = client.post(
        "/coordination/departments/new/",
        {
            "organisation": iw.world.department.pk,
            "kind": "public_security",
            "name": "测试公安局",
            "office": "户政科",
            "contact_person": "陈警官",
            "answer_days": 7,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    created = Department.objects.get(name="测试公安局")
    assert (created.office, created.answer_days, created.organisation) == (
        "户政科",
        7,
        iw.world.department,
    )
    client.post(
        f"/coordination/departments/{created.pk}/",
        {
            "organisation": iw.world.department.pk,
            "kind": "public_security",
            "name": "测试公安局",
            "answer_days": 15,
        },
    )
    created.refresh_from_db()
    assert created.answer_days == 15 and created.is_active is False
    assert (
        AuditEvent.objects.filter(action__in=["department.create", "department.update"]).count()
        == 2
    )


def test_an_officer_cannot_add_a_department(client, iw):
    client.force_login(iw.world.officer)
    response = client.post(
        "/coordination/departments/new/",
        {"organisation": iw.world.department.pk, "kind": "tax", "name": "x", "answer_days": 5},
    )
    assert response.status_code == 200  # the organisation is not a choice for them
    assert not Department.objects.filter(name="x").exists()


def test_the_letter_list_runs_a_constant_number_of_queries(
    client, iw, django_assert_max_num_queries
):
    from integrations.services.delivery import letter_create
    from tests.integrations.conftest import make_case, make_department

    for n in range(4):
        department = make_department(iw.world.department, name=f"部门{n}")
        set_channel(department, "manual")
        Inquiry.objects.create(
            case=make_case(iw.world.branch), department=department, status=InquiryStatus.SIGNED
        )
        letter_create(department=department, actor=iw.coordinator)
    client.force_login(iw.coordinator)
    with django_assert_max_num_queries(14):
        response = client.get("/coordination/letters/")
    assert response.content.decode().count("data-letter=") == 4
    with django_assert_max_num_queries(12):
        assert client.get("/coordination/").status_code == 200
