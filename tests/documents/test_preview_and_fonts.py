"""Draft previews count nothing; the font directory is a setting an organisation can change."""

from __future__ import annotations

import shutil

import pytest
from django.core.exceptions import ImproperlyConfigured

from documents.fonts import DEFAULT_FONT_FILES, font_paths, shared_fonts
from documents.models import Document, DocumentCounter
from documents.services import document_draft_preview


def test_a_draft_preview_is_watermarked_unnumbered_and_stores_nothing(world, fake_render):
    pdf = document_draft_preview(
        kind="decision_removal", issuer=world.committee, context={"member": {"name": "王䶮"}}
    )
    assert pdf.startswith(b"%PDF")
    assert fake_render[0]["draft"] is True
    assert "number" not in fake_render[0] or not fake_render[0]["number"]
    assert not Document.objects.exists()
    assert not DocumentCounter.objects.exists()


def test_a_missing_font_directory_is_a_clear_configuration_error(settings, tmp_path):
    settings.LIANLUO_FONT_DIR = tmp_path / "nowhere"
    with pytest.raises(ImproperlyConfigured, match="LIANLUO_FONT_DIR"):
        font_paths()


def test_an_organisation_can_point_at_its_own_font_files(settings, tmp_path):
    source = settings.LIANLUO_FONT_DIR
    for role, name in DEFAULT_FONT_FILES.items():
        shutil.copy(source / name, tmp_path / f"licensed-{role}.otf")
    settings.LIANLUO_FONT_DIR = tmp_path
    settings.LIANLUO_FONT_FILES = {role: f"licensed-{role}.otf" for role in DEFAULT_FONT_FILES}
    assert font_paths()["fangsong"] == tmp_path / "licensed-fangsong.otf"
    config, css = shared_fonts()
    assert config is not None and css is not None
    settings.LIANLUO_FONT_DIR = source
    settings.LIANLUO_FONT_FILES = {}
    assert shared_fonts()[0] is not config  # a new configuration for the new directory
