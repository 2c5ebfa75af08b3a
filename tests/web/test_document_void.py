"""The case page's 作废 on a document: document_void with a reason, then back to the case;
refused without a reason, twice, or outside the issuer's staff."""

from __future__ import annotations

import pytest
from django.test import Client

from casework.models import AuditEvent
from casework.services import cases as svc
from documents.issuing import case_documents_issue
from documents.models import Document, DocumentStatus
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_a_document_is_voided_from_the_case_page(
    world, client: Client, settings, tmp_path, django_capture_on_commit_callbacks
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    case = svc.case_open(member=make_member(world.branch, name="林小梅"), actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        (document,) = case_documents_issue(kinds=["register_form"], case=case, actor=world.officer)
    client.force_login(world.officer)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'action="/documents/{document.pk}/void/"' in page

    client.post(f"/documents/{document.pk}/void/", {"reason": ""})
    document.refresh_from_db()
    assert document.status != DocumentStatus.VOIDED
    response = client.post(f"/documents/{document.pk}/void/", {"reason": "登记信息有误"})
    assert response.status_code == 302 and response["Location"].startswith(f"/cases/{case.pk}/")
    document.refresh_from_db()
    assert document.status == DocumentStatus.VOIDED and document.void_reason == "登记信息有误"
    assert AuditEvent.objects.filter(action="document.void").count() == 1
    assert 'data-status="voided"' in client.get(f"/cases/{case.pk}/").content.decode()

    client.force_login(world.outsider)
    assert client.post(f"/documents/{document.pk}/void/", {"reason": "x"}).status_code == 404


def _pdf_text(document, tmp_path) -> str:
    from tests.documents.pdfcheck import text

    path = tmp_path / f"doc-{document.pk}.pdf"
    document.file.open("rb")
    path.write_bytes(document.file.read())
    document.file.close()
    return text(path)


def test_a_voided_document_is_reissued_as_a_correction_from_the_case_page(
    world, client: Client, settings, tmp_path, django_capture_on_commit_callbacks
) -> None:
    """重新签发更正文书: only on a voided document, once, by the issuer's staff; the
    correction points to the voided one and its PDF says so."""
    settings.MEDIA_ROOT = str(tmp_path)
    case = svc.case_open(member=make_member(world.branch, name="林小梅"), actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        (document,) = case_documents_issue(kinds=["register_form"], case=case, actor=world.officer)
    client.force_login(world.officer)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'action="/documents/{document.pk}/reissue/"' not in page

    # not voided yet: refused, nothing issued
    client.post(f"/documents/{document.pk}/reissue/")
    assert not Document.objects.filter(replaces=document).exists()

    client.post(f"/documents/{document.pk}/void/", {"reason": "登记信息有误"})
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'action="/documents/{document.pk}/reissue/"' in page

    client.force_login(world.inspector)  # sees the case, may not write for the issuer
    assert client.post(f"/documents/{document.pk}/reissue/").status_code == 403
    client.force_login(world.outsider)
    assert client.post(f"/documents/{document.pk}/reissue/").status_code == 404
    assert not Document.objects.filter(replaces=document).exists()

    client.force_login(world.officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/documents/{document.pk}/reissue/")
    assert response.status_code == 302 and response["Location"].startswith(f"/cases/{case.pk}/")
    correction = Document.objects.get(replaces=document)
    assert correction.kind == document.kind and correction.case == case
    assert correction.status == DocumentStatus.ISSUED
    assert correction.verify_code != document.verify_code
    event = AuditEvent.objects.filter(action="document.issue").latest("pk")
    assert event.object_id == str(correction.pk)
    assert "本件为更正文书" in _pdf_text(correction, tmp_path)
    assert document.verify_code in _pdf_text(correction, tmp_path)

    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'action="/documents/{document.pk}/reissue/"' not in page  # once only
    client.post(f"/documents/{document.pk}/reissue/")
    assert Document.objects.filter(replaces=document).count() == 1
