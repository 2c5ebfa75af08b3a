"""Issue 16's routes through POST /api/v1/tasks/{id}/complete/ (the step's form as JSON, the
same step code as the task page): the committee's refusal and the refused restoration."""

from __future__ import annotations

from typing import Any

import pytest

from casework.models import CaseStatus, ClockKind, MemberStatus
from tests.workflows.flow_helpers import open_case, open_nodes, open_task, seat_holder, today
from tests.workflows.route_helpers import act, approve, not_located, to_approval
from workflows.models import TaskDue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pdf_render(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)


def _complete_by_seat(client_for: Any, due: TaskDue, *exclude: Any, **payload: Any) -> Any:
    due.refresh_from_db()
    user = due.owner if due.owner_id else seat_holder(due, exclude=exclude)
    client = client_for(user)
    if due.owner_id is None:
        assert client.post(f"/api/v1/tasks/{due.task_id}/claim/").status_code == 200
    payload.setdefault("step", due.node)
    return client.post(f"/api/v1/tasks/{due.task_id}/complete/", payload, format="json")


def test_the_committee_refuses_over_the_api_with_its_reason(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = to_approval(world, not_located(world, case), "suspend")
    due = open_task(case, "approval")
    no_reason = _complete_by_seat(
        client_for, due, world.secretary, decision="refuse", then="branch"
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"]["non_field_errors"] == ["不予批准须写明理由。"]
    lost = _complete_by_seat(
        client_for, due, world.secretary, decision="refuse", then="close", comment="理由"
    )
    assert lost.status_code == 422 and lost.json()["code"] == "refuse_close_not_located"
    wrong = client_for(world.officer).post(
        f"/api/v1/tasks/{due.task_id}/complete/",
        {"step": "approval", "decision": "refuse", "then": "branch", "comment": "理由"},
        format="json",
    )
    assert wrong.status_code == 409  # claimed by the approver: not the officer's task
    refused = _complete_by_seat(
        client_for, due, world.secretary, decision="refuse", then="branch", comment="查找不充分"
    )
    assert refused.status_code == 200, refused.json()
    assert refused.json()["case_status"] == CaseStatus.PROPOSAL
    case.refresh_from_db()
    assert open_nodes(case) == ["propose"] and case.member.status == MemberStatus.NORMAL


def test_a_restoration_refused_over_the_api_keeps_the_suspension_and_its_timer(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = approve(to_approval(world, not_located(world, case), "suspend"), world, decision="agree")
    due_day = case.clock_due
    case = act(case, "restoration", applied_on=today(), application="本人申请恢复党籍")
    case = act(case, "propose", kind="restore", reasons="考察")
    case = act(case, "pre_review", decision="agree")
    due = open_task(case, "approval")
    assert due.role == "coordinator"
    refused = _complete_by_seat(client_for, due, decision="refuse", comment="不符合恢复条件")
    assert refused.status_code == 200, refused.json()
    assert refused.json()["case_status"] == CaseStatus.IN_FORCE
    case.refresh_from_db()
    assert (case.clock_kind, case.clock_due) == (ClockKind.SUSPENSION, due_day)
    assert case.member.status == MemberStatus.SUSPENDED
    assert open_nodes(case) == ["restoration", "restoration__timeout"]


def test_service_persuasion_and_public_notice_steps_complete_over_the_api(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    """The new steps take their payload as JSON like every other step (the schema comes
    from their forms): a lost member's notice refused 'in person', 劝退 then 劝而不退."""
    from casework.models import CaseStatus, ProposalKind
    from tests.workflows.flow_helpers import locate_and_assess

    lost = open_case(world, django_capture_on_commit_callbacks)
    lost = act(not_located(world, lost), "propose", kind="suspend", reasons="研究")
    lost = act(lost, "pre_review", decision="agree")
    notice = open_task(lost, "notice")
    in_person = _complete_by_seat(client_for, notice, notified_on=str(today()), how="in_person")
    assert in_person.status_code == 422 and in_person.json()["code"] == "member_not_located"
    by_post = _complete_by_seat(client_for, notice, notified_on=str(today()), how="post")
    assert by_post.status_code == 200, by_post.json()

    case = locate_and_assess(world, open_case(world, django_capture_on_commit_callbacks), "unfit")
    case = approve(to_approval(world, case, "persuade", ["weak_purpose"]), world, decision="agree")
    due = open_task(case, "persuasion_outcome")
    no_notes = _complete_by_seat(client_for, due, withdrew="0", on=str(today()))
    assert no_notes.status_code == 400 and "notes" in no_notes.json()["errors"]
    refused = _complete_by_seat(
        client_for, due, withdrew="0", on=str(today()), notes="经劝告仍坚持不退党"
    )
    assert refused.status_code == 200, refused.json()
    assert refused.json()["case_status"] == CaseStatus.PROPOSAL
    case.refresh_from_db()
    assert case.suggested_kinds == [ProposalKind.REMOVE] and open_nodes(case) == ["propose"]


def test_the_decision_is_served_over_the_api(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    from tests.workflows.flow_helpers import locate_and_assess

    case = locate_and_assess(world, open_case(world, django_capture_on_commit_callbacks))
    case = approve(to_approval(world, case, "correction", ["slack_work"]), world, decision="agree")
    due = open_task(case, "serve_decision")
    bad = _complete_by_seat(client_for, due, served_on="2026-02-30", how="in_person")
    assert bad.status_code == 400 and "served_on" in bad.json()["errors"]
    served = _complete_by_seat(client_for, due, served_on=str(today()), how="in_person")
    assert served.status_code == 200, served.json()
    case.refresh_from_db()
    assert case.clock_due is not None and open_nodes(case) == ["correction_wait"]
