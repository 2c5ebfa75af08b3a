"""Task endpoints: the same selectors and services as the queue screens."""

from __future__ import annotations

import pytest

from casework.models import AuditEvent, Role
from tests.factories import make_user
from tests.workflows.flow_helpers import open_case, open_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pdf_render(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)


@pytest.fixture
def due(world, django_capture_on_commit_callbacks):
    case = open_case(world, django_capture_on_commit_callbacks)
    return open_task(case, "outreach")


def test_an_officer_claims_from_the_queue_and_finds_it_in_the_inbox(
    world, due, client_for, django_assert_max_num_queries
) -> None:
    client = client_for(world.officer)
    queue = client.get("/api/v1/tasks/queue/").json()["results"]
    assert [row["task_id"] for row in queue] == [due.task_id]
    assert queue[0]["step"] == "outreach" and queue[0]["member_name"]
    response = client.post(f"/api/v1/tasks/{due.task_id}/claim/")
    assert response.status_code == 200
    assert response.json()["owner"] == world.officer.username
    with django_assert_max_num_queries(8):
        inbox = client.get("/api/v1/tasks/inbox/").json()["results"]
    assert [row["task_id"] for row in inbox] == [due.task_id]
    assert client.get("/api/v1/tasks/queue/").json()["results"] == []
    assert AuditEvent.objects.filter(action="task.claim").count() == 1


def test_a_second_claim_is_409_and_release_returns_it_to_the_queue(world, due, client_for) -> None:
    colleague = make_user("officer_b", Role.CONTACT_OFFICER, world.branch)
    client_for(world.officer).post(f"/api/v1/tasks/{due.task_id}/claim/")
    second = client_for(colleague).post(f"/api/v1/tasks/{due.task_id}/claim/")
    assert second.status_code == 409
    assert second["Content-Type"].startswith("application/problem+json")
    not_holder = client_for(colleague).post(f"/api/v1/tasks/{due.task_id}/release/")
    assert not_holder.status_code == 403
    released = client_for(world.officer).post(f"/api/v1/tasks/{due.task_id}/release/")
    assert released.status_code == 200 and released.json()["owner"] is None


def test_outsiders_get_404_and_inspectors_cannot_claim(world, due, client_for) -> None:
    outsider = client_for(world.outsider)
    assert outsider.get(f"/api/v1/tasks/{due.task_id}/").status_code == 404
    assert outsider.post(f"/api/v1/tasks/{due.task_id}/claim/").status_code == 404
    assert outsider.get("/api/v1/tasks/queue/").json()["results"] == []
    assert client_for(world.inspector).post(f"/api/v1/tasks/{due.task_id}/claim/").status_code in (
        403,
        404,
    )
