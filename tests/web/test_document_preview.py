"""The case page's document preview: the first page as PNG, in scope, audited like a download."""

from __future__ import annotations

import pytest
from django.test import Client

from casework.models import AuditEvent
from casework.services import cases as svc
from documents.issuing import case_documents_issue
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_a_document_preview_is_a_png_of_its_first_page_in_scope_only(
    world, client: Client, settings, tmp_path, django_capture_on_commit_callbacks
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    case = svc.case_open(member=make_member(world.branch, name="林小梅"), actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        (document,) = case_documents_issue(kinds=["register_form"], case=case, actor=world.officer)
    client.force_login(world.coordinator)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'src="/documents/{document.pk}/preview.png"' in page
    assert AuditEvent.objects.filter(action="document.download").count() == 0

    response = client.get(f"/documents/{document.pk}/preview.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert AuditEvent.objects.filter(action="document.download").count() == 1

    client.force_login(world.outsider)
    assert client.get(f"/documents/{document.pk}/preview.png").status_code == 404
