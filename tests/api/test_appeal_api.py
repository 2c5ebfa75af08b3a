"""Issue 16's appeal (申诉) through /api/v1/: received at POST /cases/{id}/appeal/ (the same
workflow service as the case page), decided by completing the `appeal_review` task with its
payload. Refusals: bad input, wrong organisation, twice, no decision in force."""

from __future__ import annotations

from typing import Any

import pytest

from casework.models import Appeal, CaseStatus, ClockKind, MemberStatus
from tests.workflows.flow_helpers import open_case, open_nodes, seat_holder, today
from tests.workflows.route_helpers import approve, not_located, to_approval
from workflows.models import TaskDue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pdf_render(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)


def _suspended(world: Any, capture: Any) -> Any:
    case = open_case(world, capture)
    return approve(to_approval(world, not_located(world, case), "suspend"), world, decision="agree")


def test_an_appeal_is_received_and_revoked_over_the_api(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    case = _suspended(world, django_capture_on_commit_callbacks)
    url = f"/api/v1/cases/{case.pk}/appeal/"
    officer = client_for(world.officer)
    empty = officer.post(url, {"grounds": "", "received_on": str(today())}, format="json")
    assert empty.status_code == 400
    outsider = client_for(world.outsider).post(
        url, {"grounds": "理由", "received_on": str(today())}, format="json"
    )
    assert outsider.status_code == 404  # outside their subtree: not even there
    filed = officer.post(
        url, {"grounds": "本人并非故意失联。", "received_on": str(today())}, format="json"
    )
    assert filed.status_code == 201, filed.json()
    body = filed.json()
    assert body["organisation"] == world.department.name and body["outcome"] == ""
    assert body["decision_kind"] == "suspend" and body["task"]
    twice = officer.post(url, {"grounds": "再次", "received_on": str(today())}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "appeal_exists"
    # the department's coordinator claims and decides it through the task's payload
    due = TaskDue.objects.get(task_id=body["task"])
    assert due.node == "appeal_review" and due.role == "coordinator"
    judge = client_for(seat_holder(due))
    wrong = client_for(world.approver).post(f"/api/v1/tasks/{due.task_id}/claim/")
    assert wrong.status_code in (403, 404)
    assert judge.post(f"/api/v1/tasks/{due.task_id}/claim/").status_code == 200
    done = judge.post(
        f"/api/v1/tasks/{due.task_id}/complete/",
        {"step": "appeal_review", "outcome": "revoked", "reason": "认定失联的依据不足。"},
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert done.json()["case_status"] == CaseStatus.PROPOSAL
    case.refresh_from_db()
    assert case.member.status == MemberStatus.NORMAL
    assert (case.clock_kind, case.clock_due) == (ClockKind.NONE, None)
    assert open_nodes(case) == ["propose"]
    assert Appeal.objects.get().outcome == "revoked"


def test_an_appeal_without_a_decision_in_force_is_refused(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    refused = client_for(world.officer).post(
        f"/api/v1/cases/{case.pk}/appeal/",
        {"grounds": "理由", "received_on": str(today())},
        format="json",
    )
    assert refused.status_code == 409 and refused.json()["code"] == "no_decision_in_force"
    assert not Appeal.objects.exists() and open_nodes(case) == ["outreach"]
