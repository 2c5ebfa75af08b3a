"""POST /api/v1/tasks/{id}/complete/: the step's form as JSON, the task page's own step code.

Outcomes (case status, rows, next task, audit) and refusals (400 field errors, 403, 404,
409) per step; the race runs on PostgreSQL with real threads."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from casework.models import (
    AuditEvent,
    CaseStatus,
    ContactAttempt,
    Inquiry,
    MemberStatus,
    Role,
)
from casework.services import cases as svc
from casework.services import inquiries as inq
from casework.services.ledgers import contact_attempt_record
from casework.services.organisations import role_assign
from tests.casework.case_helpers import make_department
from tests.factories import make_member
from tests.workflows.flow_helpers import (
    notice_and_defence,
    open_case,
    open_nodes,
    open_task,
    step,
    today,
)
from workflows import services
from workflows.models import TaskDue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pdf_render(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)


@pytest.fixture
def case(world, django_capture_on_commit_callbacks):
    return open_case(world, django_capture_on_commit_callbacks)


def _complete(client: Any, due: TaskDue, **payload: Any) -> Any:
    payload.setdefault("step", due.node)
    return client.post(f"/api/v1/tasks/{due.task_id}/complete/", payload, format="json")


def _claim(client: Any, due: TaskDue) -> None:
    assert client.post(f"/api/v1/tasks/{due.task_id}/claim/").status_code == 200


def _attempts(world, case) -> None:
    for channel in ("phone", "relative", "home_visit"):
        contact_attempt_record(
            member=case.member, actor=world.officer, channel=channel, outcome="no_answer", case=case
        )


def _to_request_inquiries(world, case):
    _attempts(world, case)
    return step(case, "outreach", world.officer, action="not_reachable")


def _to_not_located(world, case):
    case = _to_request_inquiries(world, case)
    department = make_department(world.department)

    case = step(case, "request_inquiries", world.coordinator, departments=[department.pk])
    (inquiry,) = case.inquiries.all()
    inquiry = inq.inquiry_mark_sent(inquiry=inquiry, actor=world.coordinator)
    inq.inquiry_record_answer(
        inquiry=inquiry, actor=None, answer="not_found", details={}, source="manual"
    )
    assert services.inquiry_wait_resume(case_id=case.pk) is True
    return step(case, "conclude_search", world.officer, conclusion="not_located")


def test_outreach_records_attempts_then_marks_the_search_exhausted(world, case, client_for) -> None:
    client = client_for(world.officer)
    due = open_task(case, "outreach")
    _claim(client, due)

    missing = _complete(client, due, action="record")
    assert missing.status_code == 422
    assert missing["Content-Type"].startswith("application/problem+json")
    assert missing.json()["errors"]["non_field_errors"] == ["记录联系时请选择联系方式和联系结果。"]
    assert missing.json()["code"] == "invalid_data"
    bad_choice = _complete(client, due, action="record", channel="pigeon", outcome="no_answer")
    assert bad_choice.status_code == 400 and "channel" in bad_choice.json()["errors"]
    too_early = _complete(client, due, action="not_reachable", notes="")
    assert too_early.status_code == 422
    assert "联系查找尚未达到规定要求" in too_early.json()["detail"]

    for channel in ("phone", "relative", "home_visit"):
        recorded = _complete(client, due, action="record", channel=channel, outcome="no_answer")
        assert recorded.status_code == 200, recorded.json()
        assert recorded.json()["result"] == "recorded"
        assert recorded.json()["task"]["state"] == "assigned"
    assert ContactAttempt.objects.filter(member=case.member).count() == 3

    done = _complete(client, due, action="not_reachable", notes="多方联系未果")
    assert done.status_code == 200, done.json()
    body = done.json()
    assert body["result"] == "completed" and body["task"]["state"] == "done"
    assert body["case_status"] == CaseStatus.INQUIRY
    assert [t["step"] for t in body["next_tasks"]] == ["request_inquiries"]
    case.refresh_from_db()
    assert case.status == CaseStatus.INQUIRY and open_nodes(case) == ["request_inquiries"]

    again = _complete(client, due, action="not_reachable", notes="重复提交")
    assert again.status_code == 409 and again.json()["code"] == "task_done"
    assert "该任务已办结" in again.json()["detail"]


def test_outreach_marked_located_moves_to_the_talk(world, case, client_for) -> None:
    client = client_for(world.officer)
    due = open_task(case, "outreach")
    _claim(client, due)
    response = _complete(client, due, action="located")
    assert response.status_code == 200 and response.json()["result"] == "completed"
    assert open_nodes(case) == ["talk"]


def test_bad_payloads_are_400_with_field_errors_and_change_nothing(world, case, client_for) -> None:
    client = client_for(world.officer)
    due = open_task(case, "outreach")
    _claim(client, due)
    wrong_step = _complete(client, due, step="approval", decision="agree")
    assert wrong_step.status_code == 422 and "step" in wrong_step.json()["errors"]
    no_step = client.post(f"/api/v1/tasks/{due.task_id}/complete/", {}, format="json")
    assert no_step.status_code == 400 and "step" in no_step.json()["errors"]
    not_object = client.post(f"/api/v1/tasks/{due.task_id}/complete/", [1, 2], format="json")
    assert not_object.status_code == 400
    nested = _complete(client, due, action={"x": 1})
    assert nested.status_code == 400 and "action" in nested.json()["errors"]
    assert open_nodes(case) == ["outreach"]
    assert ContactAttempt.objects.count() == 0


def test_refusals_by_scope_and_by_claim(world, case, client_for) -> None:
    from tests.factories import make_user

    due = open_task(case, "outreach")
    payload = {"action": "located"}
    assert _complete(client_for(world.outsider), due, **payload).status_code == 404
    assert _complete(client_for(world.nobody), due, **payload).status_code == 404
    assert client_for(world.officer).post("/api/v1/tasks/999999/complete/").status_code == 404
    inspector = _complete(client_for(world.inspector), due, **payload)
    assert inspector.status_code == 403
    unclaimed = _complete(client_for(world.officer), due, **payload)
    assert unclaimed.status_code == 409 and unclaimed.json()["code"] == "not_claimed"
    colleague = make_user("officer_b", Role.CONTACT_OFFICER, world.branch)
    _claim(client_for(world.officer), due)
    taken = _complete(client_for(colleague), due, **payload)
    assert taken.status_code == 409 and taken.json()["code"] == "task_taken"
    assert open_nodes(case) == ["outreach"]
    anonymous = client_for(world.officer)
    anonymous.credentials()
    assert _complete(anonymous, due, **payload).status_code == 401


def test_the_coordinator_requests_inquiries_with_department_ids(world, case, client_for) -> None:
    case = _to_request_inquiries(world, case)
    department = make_department(world.department)
    client = client_for(world.coordinator)
    due = open_task(case, "request_inquiries")
    _claim(client, due)
    unknown = _complete(client, due, departments=[999999])
    assert unknown.status_code == 422 and "departments" in unknown.json()["errors"]
    huge = _complete(client, due, departments=[2**40])
    assert huge.status_code == 400 and "departments.0" in huge.json()["errors"]
    empty = _complete(client, due, departments=[])
    assert empty.status_code == 400 and "departments" in empty.json()["errors"]
    assert Inquiry.objects.filter(case=case).count() == 0

    done = _complete(client, due, departments=[department.pk])
    assert done.status_code == 200, done.json().get("errors")
    assert list(Inquiry.objects.filter(case=case).values_list("department_id", flat=True)) == [
        department.pk
    ]
    assert open_nodes(case) == ["wait_inquiries"]
    assert AuditEvent.objects.filter(action__startswith="inquiry").exists()


def test_propose_meeting_and_the_four_eyes_refusal_at_approval(world, case, client_for) -> None:
    case = _to_not_located(world, case)
    # The secretary also holds the committee's approver role: still may not approve.
    role_assign(user=world.secretary, role=Role.COMMITTEE_APPROVER, organisation=world.committee)
    secretary = client_for(world.secretary)

    due = open_task(case, "propose")
    _claim(secretary, due)
    no_reasons = _complete(secretary, due, kind="suspend")
    assert no_reasons.status_code == 400 and "reasons" in no_reasons.json()["errors"]
    proposed = _complete(secretary, due, kind="suspend", grounds=[], reasons="经支委会研究")
    assert proposed.status_code == 200, proposed.json()
    case.refresh_from_db()
    assert case.status == CaseStatus.PRE_REVIEW and case.current_proposal.kind == "suspend"

    while open_nodes(case) == ["pre_review"]:
        due = open_task(case, "pre_review")
        reviewer = world.approver if due.role == Role.COMMITTEE_APPROVER else world.coordinator
        client = client_for(reviewer)
        _claim(client, due)
        no_comment = _complete(client, due, decision="send_back", comment=" ")
        assert no_comment.status_code == 422
        assert no_comment.json()["errors"]["non_field_errors"] == ["退回时须填写意见。"]
        assert _complete(client, due, decision="agree", comment="同意").status_code == 200
    case = notice_and_defence(world, case)

    due = open_task(case, "meeting")
    if due.owner_id is None:
        _claim(secretary, due)
    incomplete = _complete(secretary, due, decision="record", held_on=str(today()))
    assert incomplete.status_code == 422
    assert incomplete.json()["errors"]["non_field_errors"] == ["请填写会议日期和全部表决人数。"]
    bad_date = _complete(secretary, due, decision="record", held_on="2026-02-30")
    assert bad_date.status_code == 400 and "held_on" in bad_date.json()["errors"]
    votes = {"voting_members": 9, "present": 7, "votes_for": 6, "votes_against": 1}
    no_place = _complete(
        secretary, due, decision="record", held_on=str(today()), abstentions=0, **votes
    )
    assert no_place.status_code == 422
    assert no_place.json()["errors"]["non_field_errors"] == ["请填写会议地点。"]
    recorded = _complete(
        secretary,
        due,
        decision="record",
        held_on=str(today()),
        place="党员活动室",
        abstentions=0,
        **votes,
    )
    assert recorded.status_code == 200, recorded.json()
    assert recorded.json()["case_status"] == CaseStatus.APPROVAL

    due = open_task(case, "approval")
    _claim(secretary, due)
    refused = _complete(secretary, due, decision="agree", comment="同意")
    assert refused.status_code == 403
    assert refused.json()["code"] == "four_eyes"
    assert refused.json()["detail"] == "提议人不能审批自己的提议。"
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVAL and open_nodes(case) == ["approval"]
    assert secretary.post(f"/api/v1/tasks/{due.task_id}/release/").status_code == 200

    approver = client_for(world.approver2)
    _claim(approver, due)
    approved = _complete(approver, due, decision="agree", comment="同意")
    assert approved.status_code == 200, approved.json()
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_FORCE
    assert case.member.status == MemberStatus.SUSPENDED
    approval = AuditEvent.objects.get(action="case.approve")
    assert approval.actor_id == world.approver2.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clients_complete_the_same_task_one_gets_409(world, client_for, monkeypatch) -> None:
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)
    member = make_member(world.branch)
    case = svc.case_open(member=member, actor=world.officer)  # on_commit runs: autocommit
    due = open_task(case, "outreach")
    services.task_claim(task_id=due.task_id, user=world.officer)
    clients = [client_for(world.officer), client_for(world.officer)]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def complete(client: Any) -> None:
        try:
            barrier.wait()
            statuses.append(_complete(client, due, action="located").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=complete, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409]
    assert open_nodes(case) == ["talk"]
    assert TaskDue.objects.filter(case=case, node="talk").count() == 1
