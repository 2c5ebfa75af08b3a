"""POST /api/v1/documents/{id}/replace/: the correction of a voided document (the case page's
重新签发更正文书), through the same service (document_reissue → document_issue(replaces=…));
refused when not voided, twice, outside the issuer's staff; the new PDF names the voided one."""

from __future__ import annotations

import pytest

from casework.models import AuditEvent
from casework.services import cases as svc
from documents.issuing import case_documents_issue
from documents.models import Document, DocumentStatus
from tests.documents.pdfcheck import text
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_a_voided_document_is_replaced_over_the_api(
    world, client_for, settings, tmp_path, django_capture_on_commit_callbacks
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    case = svc.case_open(member=make_member(world.branch, name="林小梅"), actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        (document,) = case_documents_issue(kinds=["register_form"], case=case, actor=world.officer)
    officer = client_for(world.officer)
    url = f"/api/v1/documents/{document.pk}/replace/"

    not_voided = officer.post(url, format="json")
    assert not_voided.status_code == 409, not_voided.json()
    assert not_voided.json()["code"] == "replace_not_voided"
    assert "已作废" in not_voided.json()["detail"]

    officer.post(
        f"/api/v1/documents/{document.pk}/void/", {"reason": "登记信息有误"}, format="json"
    )
    assert client_for(world.outsider).post(url, format="json").status_code == 404
    assert client_for(world.inspector).post(url, format="json").status_code == 403
    assert not Document.objects.filter(replaces=document).exists()

    with django_capture_on_commit_callbacks(execute=True):
        replaced = officer.post(url, format="json")
    assert replaced.status_code == 201, replaced.json()
    body = replaced.json()
    assert body["replaces"] == document.pk and body["kind"] == document.kind
    assert body["case"] == case.pk and body["id"] != document.pk
    correction = Document.objects.get(pk=body["id"])
    assert correction.status == DocumentStatus.ISSUED
    assert AuditEvent.objects.filter(action="document.issue", object_id=str(correction.pk)).exists()

    pdf = officer.get(f"/api/v1/documents/{correction.pk}/pdf/")
    assert pdf.status_code == 200
    path = tmp_path / "correction.pdf"
    path.write_bytes(pdf.content)
    printed = text(path)
    assert "本件为更正文书" in printed and document.verify_code in printed

    again = officer.post(url, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_replaced"
    assert Document.objects.filter(replaces=document).count() == 1
    # the correction itself is not voided: it cannot be "replaced"
    assert officer.post(f"/api/v1/documents/{correction.pk}/replace/").status_code == 409
    verified = client_for(world.officer).get(f"/api/v1/verify/{document.verify_code}/").json()
    assert verified["status"] == DocumentStatus.VOIDED
