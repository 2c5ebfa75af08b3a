"""Documents (metadata, audited PDF download, public verification) and the schema/docs."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from casework.models import AuditEvent
from documents.services import document_issue

FAKE_PDF = b"%PDF-1.7 fake bytes for the API tests"


@pytest.fixture
def document(seeded, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr("documents.services.render_pdf", lambda **kw: FAKE_PDF)
    with django_capture_on_commit_callbacks(execute=True):
        issued = document_issue(
            kind="inquiry_letter",
            issuer=seeded.world.committee,
            context={},
            actor=seeded.world.approver,
            case=seeded.case,
        )
    issued.refresh_from_db()
    return issued


def test_documents_are_listed_in_scope_and_downloaded_with_an_audit_event(
    seeded, document, client_for
):
    client = client_for(seeded.world.secretary)
    rows = client.get("/api/v1/documents/").json()["results"]
    assert [d["number"] for d in rows] == [document.number]
    response = client.get(f"/api/v1/documents/{document.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == FAKE_PDF
    assert AuditEvent.objects.filter(
        action="document.download", object_id=str(document.pk)
    ).exists()


def test_a_document_outside_the_scope_is_404(seeded, document, client_for):
    client = client_for(seeded.world.outsider)
    assert client.get(f"/api/v1/documents/{document.pk}/").status_code == 404
    assert client.get(f"/api/v1/documents/{document.pk}/pdf/").status_code == 404
    assert not AuditEvent.objects.filter(action="document.download").exists()


def test_verification_is_public_by_code_and_by_upload(seeded, document):
    client = APIClient()
    by_code = client.get(f"/api/v1/verify/{document.verify_code}/")
    assert by_code.status_code == 200
    assert by_code.json()["number"] == document.number and by_code.json()["is_valid"]
    assert client.get("/api/v1/verify/NOSUCHCODE/").status_code == 404
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("d.pdf", FAKE_PDF, content_type="application/pdf")
    by_bytes = client.post("/api/v1/verify/", {"file": upload}, format="multipart")
    assert by_bytes.json()["number"] == document.number


def test_the_openapi_schema_lists_the_resources(db):
    response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/cases/", "/api/v1/members/{id}/reveal/", "/api/v1/tokens/"):
        assert path in schema["paths"]
    assert "Problem" in schema["components"]["schemas"]


def test_the_docs_page_loads_every_asset_from_this_server(db):
    page = APIClient().get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets
    assert all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    assert "cdn" not in page.lower()


def test_the_swagger_init_script_references_no_external_url(db):
    page = APIClient().get("/api/docs/").content.decode()
    (script,) = [s for s in re.findall(r'src="([^"]+)"', page) if "script" in s]
    body = APIClient().get(script).content.decode()
    assert "http://" not in body and "https://" not in body
