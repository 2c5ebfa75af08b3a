"""Property-based fuzzing of every operation against the live schema (schemathesis, WSGI) with
every check (`--checks all`, configured by schemathesis.toml): no 5xx, every response conforms
to the schema (status, content type, headers, body), data the schema allows is never refused
as malformed (400), data it forbids is never accepted. A few examples per operation and mode
(positive, negative) keep it under a minute; `make conformance` is the long run."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from settings.wsgi import application
from tests.api.conftest import seed
from tests.workflows.flow_helpers import open_case, open_task, outreach_fails
from web.api.tokens import api_token_create
from workflows import services

EXAMPLES_PER_OPERATION = 6  # per generation mode
TIME_BUDGET_SECONDS = 60
CONFIG = Path(__file__).resolve().parents[2] / "schemathesis.toml"
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
# Revoking tokens at random would revoke the fuzzer's own token; covered by contract tests.
SKIPPED = {("DELETE", "/api/v1/tokens/{id}/")}


@pytest.fixture
def keep_test_connection():
    """The raw WSGI app would close the test transaction's connection after each request
    (PostgreSQL); Django's own test client disconnects these handlers the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _task_in_hand(world, django_capture_on_commit_callbacks):
    """A request_inquiries task claimed by the coordinator: the fuzzer's payloads for
    `complete` then reach the step's form (and its service) instead of a 404."""
    case = open_case(world, django_capture_on_commit_callbacks)
    case = outreach_fails(world, case)
    due = open_task(case, "request_inquiries")
    services.task_claim(task_id=due.task_id, user=world.coordinator)
    return due


# Operations whose path id is replaced by the task in hand (random ids only find 404s).
ON_THE_TASK = {"/api/v1/tasks/{task_id}/complete/", "/api/v1/tasks/{task_id}/"}


def _fuzz(operation, mode, *, due, headers, checks) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def exercise(case):
        if mode is GenerationMode.POSITIVE and case.operation.path in ON_THE_TASK:
            # A payload for another step stays as generated (422: not this task's step);
            # rewriting its `step` would make it a payload the schema forbids.
            case.path_parameters = {"task_id": due.task_id}
        case.call_and_validate(headers=headers, checks=checks)

    try:
        exercise()
    except Unsatisfiable:  # nothing negative to send (a string path parameter only)
        if mode is GenerationMode.POSITIVE:
            raise


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_test_connection")
def test_every_operation_survives_fuzzing_and_matches_its_schema(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)
    seeded = seed(world)
    due = _task_in_hand(world, django_capture_on_commit_callbacks)
    _, token = api_token_create(user=seeded.world.coordinator, name="schemathesis")
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/", application, config=SchemathesisConfig.from_path(CONFIG)
    )
    load_all_checks()
    checks = CHECKS.get_all()
    deadline = time.monotonic() + TIME_BUDGET_SECONDS
    tested = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        if time.monotonic() > deadline:
            break
        for mode in MODES:
            _fuzz(operation, mode, due=due, headers=headers, checks=checks)
        tested += 1
    assert tested >= 30
