"""Fixtures for flow tests: no PDF rendering (numbering still happens), a started case."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_pdf_render(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)
