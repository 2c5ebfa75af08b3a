"""The public verification page (by code, by upload) and the scoped, audited download."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casework.models import AuditEvent
from documents.models import Document
from documents.services import document_issue, document_void


@pytest.fixture
def issued(world, case, fake_render, django_capture_on_commit_callbacks) -> Document:
    with django_capture_on_commit_callbacks(execute=True):
        document = document_issue(
            kind="decision_suspension",
            issuer=world.committee,
            context={"member": {"name": "王䶮", "id_number": "350102198803150017"}},
            actor=world.approver,
            case=case,
            member=case.member,
            issued_on=dt.date(2026, 11, 26),
        )
    document.refresh_from_db()
    return document


def test_the_page_behind_the_code_shows_number_issuer_date_hash_and_validity(client, issued):
    response = client.get(f"/verify/{issued.verify_code}")
    body = response.content.decode()
    assert response.status_code == 200
    for shown in (issued.number, "中共测试党委", "2026年11月26日", issued.sha256, "有效"):
        assert shown in body


def test_the_verification_page_shows_no_personal_data(client, issued):
    body = client.get(f"/verify/{issued.verify_code}").content.decode()
    for secret in ("王䶮", "350102198803150017", "13800138000", "五四路", "停止党籍的决定"):
        assert secret not in body


def test_codes_are_case_insensitive_and_unknown_codes_are_404(client, issued):
    assert client.get(f"/verify/{issued.verify_code.lower()}").status_code == 200
    response = client.get("/verify/NOSUCHCODE22")
    assert response.status_code == 404
    assert "未找到" in response.content.decode()


def test_a_voided_document_shows_voided_and_its_correction(client, world, issued, fake_render):
    document_void(document=issued, actor=world.approver, reason="决定日期有误")
    correction = document_issue(
        kind="decision_suspension",
        issuer=world.committee,
        context={},
        actor=world.approver,
        replaces=issued,
        issued_on=dt.date(2026, 11, 27),
    )
    body = client.get(f"/verify/{issued.verify_code}").content.decode()
    assert "已作废" in body
    assert correction.number in body
    assert "决定日期有误" not in body  # the reason may name people: not public


def test_uploading_the_issued_bytes_matches(client, issued):
    data = issued.file.read()
    response = client.post("/verify/", {"file": SimpleUploadedFile("x.pdf", data)})
    body = response.content.decode()
    assert "完全一致" in body
    assert issued.number in body


def test_uploading_changed_bytes_does_not_match(client, issued):
    data = issued.file.read() + b"\n%tampered"
    body = client.post("/verify/", {"file": SimpleUploadedFile("x.pdf", data)}).content.decode()
    assert "均不一致" in body
    assert issued.number not in body


def test_the_upload_form_is_public(client, db):
    response = client.get("/verify/")
    assert response.status_code == 200
    assert "上传PDF文件" in response.content.decode()


def test_an_officer_of_the_cases_branch_downloads_and_it_is_audited(client, world, issued):
    client.force_login(world.officer)
    response = client.get(f"/documents/{issued.pk}/download")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == issued.file.read()
    event = AuditEvent.objects.get(action="document.download")
    assert event.actor == world.officer
    assert event.object_id == str(issued.pk)


@pytest.mark.parametrize("user", ["outsider", "nobody"])
def test_a_download_outside_the_users_scope_is_404_and_not_audited(client, world, issued, user):
    client.force_login(getattr(world, user))
    assert client.get(f"/documents/{issued.pk}/download").status_code == 404
    assert not AuditEvent.objects.filter(action="document.download").exists()


def test_a_sibling_branch_officer_cannot_download_a_committee_document_of_another_branch(
    world, issued
):
    from documents.selectors import document_list_for_user
    from tests.factories import make_user

    sibling_officer = make_user("sib", "contact_officer", world.sibling_branch)
    assert not document_list_for_user(user=sibling_officer).filter(pk=issued.pk).exists()
    assert document_list_for_user(user=world.approver).filter(pk=issued.pk).exists()
    assert document_list_for_user(user=world.coordinator).filter(pk=issued.pk).exists()


def test_anonymous_users_are_sent_to_login(client, issued):
    response = client.get(f"/documents/{issued.pk}/download")
    assert response.status_code == 302


def test_a_pending_document_cannot_be_downloaded_yet(client, world, fake_render):
    document = document_issue(
        kind="inquiry_letter", issuer=world.committee, context={}, actor=world.approver
    )
    client.force_login(world.approver)
    response = client.get(f"/documents/{document.pk}/download")
    assert response.status_code == 409


def test_tampered_stored_bytes_are_refused(client, world, issued):
    with open(issued.file.path, "ab") as handle:
        handle.write(b"x")
    client.force_login(world.approver)
    assert client.get(f"/documents/{issued.pk}/download").status_code == 409


def test_a_really_rendered_document_carries_its_code_and_verifies_by_upload(
    client, world, case, django_capture_on_commit_callbacks
):
    from documents.issuing import case_documents_issue
    from tests.documents import pdfcheck

    with django_capture_on_commit_callbacks(execute=True):
        (document,) = case_documents_issue(kinds=["register_form"], case=case, actor=world.officer)
    document.refresh_from_db()
    assert document.status == "issued"
    text = pdfcheck.text(__import__("pathlib").Path(document.file.path))
    assert "失联党员登记表" in text
    assert document.verify_code in text
    assert "王䶮" in text
    body = client.post(
        "/verify/", {"file": SimpleUploadedFile("x.pdf", document.file.read())}
    ).content.decode()
    assert "完全一致" in body
