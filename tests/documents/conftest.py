"""Fixtures for document tests: a case in the world's branch, and a fast stand-in renderer."""

from __future__ import annotations

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
