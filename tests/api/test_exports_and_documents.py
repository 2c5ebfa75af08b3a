"""Dashboard exports, a document's first-page preview and voiding through /api/v1/: the
screens' own code (web.dashboard.exports, the preview's poppler call, document_void)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from casework.models import AuditEvent
from casework.services import cases as svc
from documents.issuing import case_documents_issue
from documents.models import DocumentStatus
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_the_dashboard_exports_as_xlsx_and_pdf_and_each_is_audited(world, client_for) -> None:
    make_member(world.branch)
    client = client_for(world.inspector)
    xlsx = client.get("/api/v1/dashboard/export.xlsx")
    assert xlsx.status_code == 200, xlsx.content[:300]
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(xlsx.content)).active.max_row > 1
    pdf = client.get("/api/v1/dashboard/export.pdf", {"organisation": world.committee.pk})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="dashboard.export").count() == 2
    outside = client_for(world.outsider).get(
        "/api/v1/dashboard/export.xlsx", {"organisation": world.committee.pk}
    )
    assert outside.status_code == 404


def test_a_document_is_previewed_and_voided(
    world, client_for, settings, tmp_path, django_capture_on_commit_callbacks
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    case = svc.case_open(member=make_member(world.branch, name="林小梅"), actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        (document,) = case_documents_issue(kinds=["register_form"], case=case, actor=world.officer)
    client = client_for(world.coordinator)
    preview = client.get(f"/api/v1/documents/{document.pk}/preview/")
    assert preview.status_code == 200 and preview.content.startswith(b"\x89PNG")
    assert AuditEvent.objects.filter(action="document.download").count() == 1
    assert (
        client_for(world.outsider).get(f"/api/v1/documents/{document.pk}/preview/").status_code
        == 404
    )

    officer = client_for(world.officer)
    no_reason = officer.post(f"/api/v1/documents/{document.pk}/void/", {}, format="json")
    assert no_reason.status_code == 400
    voided = officer.post(
        f"/api/v1/documents/{document.pk}/void/", {"reason": "登记信息有误"}, format="json"
    )
    assert voided.status_code == 200, voided.json()
    assert voided.json()["status"] == DocumentStatus.VOIDED
    again = officer.post(f"/api/v1/documents/{document.pk}/void/", {"reason": "x"}, format="json")
    assert again.status_code == 409
