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


def _flush_past_the_audit_triggers() -> None:
    """The test harness empties PostgreSQL test databases between transactional tests with
    TRUNCATE, which the audit tables' triggers refuse (casework/migrations/0010). The harness
    connects as a superuser, so it flushes in replication mode, where ordinary triggers do
    not fire — a mode the application's own database role cannot enter."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush
    if getattr(original, "past_audit_triggers", False):
        return

    def execute_sql_flush(self: DatabaseOperations, sql_list: list[str]) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            original(self, sql_list)
        finally:
            with self.connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")

    execute_sql_flush.past_audit_triggers = True  # type: ignore[attr-defined]
    DatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign,assignment]


def pytest_configure(config: pytest.Config) -> None:
    _flush_past_the_audit_triggers()


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
