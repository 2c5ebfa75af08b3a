"""Fixtures for document tests: a case in the world's branch, a fast stand-in renderer, and
the documents real demo cases issue through the flow."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from casework.models import Case
from tests.factories import ScopeWorld, make_member


@pytest.fixture
def case(world: ScopeWorld) -> Case:
    member = make_member(world.branch, name="王䶮")
    return Case.objects.create(member=member, organisation=world.branch, rule_set="2024")


@pytest.fixture
def fake_render(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Replace WeasyPrint with deterministic bytes (services tests don't need real layout)."""
    calls: list[dict] = []

    def render(**kwargs):
        calls.append(kwargs)
        return f"%PDF-1.7 fake {kwargs.get('number', '')} {kwargs.get('verify_code', '')}".encode()

    monkeypatch.setattr("documents.services.render_pdf", render)
    return calls


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Stored documents go to a temporary directory, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass(frozen=True)
class Issued:
    """A document a demo case issued, rendered as it would be stored."""

    kind: str
    path: Path
    number: str
    context: dict


@pytest.fixture(scope="session")
def real_documents(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, Issued]:
    """The latest document of every kind the demo cases issued through the flow, and the
    branch's prevention documents (the letter to an outgoing member under its own sample name;
    rendered once per test session; everything is rolled back)."""
    from unittest import mock

    from django.db import transaction

    from casework.devdata.demo import seed_demo
    from casework.models import Organisation
    from documents.render import render_pdf
    from documents.services import issuer_of
    from workflows.case.drive import Clock
    from workflows.case.outcomes import documents_by_sample, drive_all
    from workflows.case.samples import prepare_stage

    out = tmp_path_factory.mktemp("real-documents")
    found: dict[str, Issued] = {}
    clock = Clock(dt.date(2026, 1, 5))
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        mock.patch("documents.services._enqueue_render", lambda document_id: None),
        clock.running(),
    ):
        seed_demo(members=0, today=clock.today)
        branch = Organisation.objects.get(code="FZYZ-1")
        drive_all(prepare_stage(branch=branch, clock=clock))
        for name, document in documents_by_sample().items():
            path = out / f"{name}.pdf"
            path.write_bytes(
                render_pdf(
                    kind=document.kind,
                    issuer=issuer_of(document.issuer),
                    context=document.context,
                    number=document.number or "",
                    verify_code=document.verify_code,
                )
            )
            found[name] = Issued(document.kind, path, document.number or "", document.context)
        transaction.set_rollback(True)
    return found
