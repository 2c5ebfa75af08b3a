"""Shared fixtures: an organisation tree, users in and out of scope, and a real Celery worker."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import ScopeWorld, build_world


def _is_postgres() -> bool:
    return str(settings.DATABASES["default"]["ENGINE"]).endswith("postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    broker = os.environ.get("CELERY_BROKER_URL")
    skip_worker = pytest.mark.skip(reason="needs CELERY_BROKER_URL (a real broker) to run")
    skip_pg = pytest.mark.skip(reason="needs DATABASE_URL pointing at PostgreSQL")
    for item in items:
        if "celery_worker" in item.keywords and not broker:
            item.add_marker(skip_worker)
        if "postgres" in item.keywords and not _is_postgres():
            item.add_marker(skip_pg)


@pytest.fixture
def world(db: None) -> ScopeWorld:
    """Two committees with branches, and users: officer, secretary, approvers, outsider …"""
    return build_world()


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[object]:
    """A real Celery worker thread consuming the configured broker (Redis in CI)."""
    from celery.contrib.testing.worker import start_worker

    from settings.celery import app

    app.conf.task_always_eager = False
    connection.close()
    try:
        with start_worker(
            app, perform_ping_check=False, pool="solo", shutdown_timeout=30
        ) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True
