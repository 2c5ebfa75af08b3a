"""Rendering after commit: a failure is visible on the document, retried, and never lost."""

from __future__ import annotations

import datetime as dt

import pytest

from casework.errors import Conflict
from casework.models import AuditEvent, OutboxMessage, OutboxState
from documents.models import Document, DocumentStatus
from documents.services import document_issue, document_render, document_retry_render
from integrations import outbox


def _failing_render(monkeypatch, failures: int) -> list[int]:
    calls: list[int] = []

    def render(**kwargs):
        calls.append(1)
        if len(calls) <= failures:
            raise OSError("font file unreadable")
        return b"%PDF-1.7 rendered " + kwargs["number"].encode()

    monkeypatch.setattr("documents.services.render_pdf", render)
    return calls


def _issue(world) -> Document:
    return document_issue(
        kind="decision_removal",
        issuer=world.committee,
        context={},
        actor=world.approver,
        issued_on=dt.date(2026, 11, 26),
    )


def test_a_failed_render_is_visible_with_its_error(world, monkeypatch):
    _failing_render(monkeypatch, failures=1)
    document = _issue(world)
    with pytest.raises(OSError):
        document_render(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == DocumentStatus.RENDER_FAILED
    assert "OSError" in document.render_error
    assert document.render_attempts == 1
    assert not document.sha256


def test_the_task_retries_a_failed_render_until_it_is_issued(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    calls = _failing_render(monkeypatch, failures=2)
    with django_capture_on_commit_callbacks(execute=True):
        document = _issue(world)
    document.refresh_from_db()
    assert len(calls) == 3
    assert document.status == DocumentStatus.ISSUED
    assert document.render_error == ""
    assert document.render_attempts == 3


def test_a_render_that_keeps_failing_stays_visible_and_can_be_retried(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    calls = _failing_render(monkeypatch, failures=outbox.max_attempts())
    with django_capture_on_commit_callbacks(execute=True):
        document = _issue(world)
    assert len(calls) == outbox.max_attempts()
    message = OutboxMessage.objects.get(kind="document.render", payload__document_id=document.pk)
    assert message.state == OutboxState.FAILED
    assert "OSError" in message.last_error
    document.refresh_from_db()
    assert document.status == DocumentStatus.RENDER_FAILED
    with django_capture_on_commit_callbacks(execute=True):
        document_retry_render(document=document, actor=world.approver)
    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED
    assert AuditEvent.objects.filter(action="document.render_retry").count() == 1


def test_rendering_twice_keeps_the_first_bytes(world, monkeypatch):
    _failing_render(monkeypatch, failures=0)
    document = _issue(world)
    first = document_render(document_id=document.pk)
    second = document_render(document_id=document.pk)
    assert first.sha256 == second.sha256
    assert first.file.name == second.file.name
    with pytest.raises(Conflict):
        document_retry_render(document=second, actor=world.approver)


def test_the_outbox_sweep_renders_documents_whose_relay_never_ran(world, monkeypatch):
    _failing_render(monkeypatch, failures=0)
    document = _issue(world)  # no on_commit in this test: as if the process died after commit
    assert outbox.outbox_sweep().published == 1
    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED


@pytest.mark.celery_worker
def test_a_real_worker_renders_the_document_after_commit(celery_worker, monkeypatch):
    import time

    from casework.models import Case
    from documents.issuing import case_documents_issue
    from tests.factories import build_world, make_member

    world = build_world()
    case = Case.objects.create(
        member=make_member(world.branch, name="王䶮"), organisation=world.branch, rule_set="2024"
    )
    (document,) = case_documents_issue(kinds=["register_form"], case=case, actor=world.officer)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.status != DocumentStatus.PENDING:
            break
        time.sleep(0.5)
    assert document.status == DocumentStatus.ISSUED
    assert document.file.read().startswith(b"%PDF")
