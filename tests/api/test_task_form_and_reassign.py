"""GET /tasks/{id}/form/ (the step form's fields and the values each accepts, for this case
and user), reassign and bulk reassign, and the case page's send back — all through the
services the screens call."""

from __future__ import annotations

import pytest

from casework.models import AuditEvent, CaseStatus, Role
from casework.services.organisations import role_assign
from tests.casework.case_helpers import make_department, talkers
from tests.factories import make_member, make_user
from tests.workflows.flow_helpers import open_case, open_nodes, open_task, outreach_fails, step
from workflows import services
from workflows.models import TaskDue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pdf_render(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)


@pytest.fixture
def case(world, django_capture_on_commit_callbacks):
    return open_case(world, django_capture_on_commit_callbacks)


def _fields(body):
    return {field["name"]: field for field in body["fields"]}


def test_the_request_form_offers_the_departments_of_the_cases_tree(world, case, client_for):
    case = outreach_fails(world, case)
    ours = make_department(world.department)
    inactive = make_department(world.department, kind="tax")
    inactive.is_active = False
    inactive.save()
    due = open_task(case, "request_inquiries")
    body = client_for(world.coordinator).get(f"/api/v1/tasks/{due.task_id}/form/")
    assert body.status_code == 200, body.json()
    assert body.json()["step"] == "request_inquiries" and body.json()["title"] == "发起部门协查"
    departments = _fields(body.json())["departments"]
    assert departments["type"] == "multiple_choice" and departments["required"] is True
    (offered,) = departments["choices"]
    assert offered["value"] == ours.pk and offered["label"] == ours.name
    assert offered["role"] == "public_security" and offered["role_label"]
    assert client_for(world.outsider).get(f"/api/v1/tasks/{due.task_id}/form/").status_code == 404


def test_the_talk_form_offers_the_full_members_of_the_branch(world, case, client_for):
    talkers(world)
    make_member(world.branch, name="预备党员丙", membership_type="probationary")
    case = step(case, "outreach", world.officer, action="located")
    due = open_task(case, "talk")
    fields = _fields(client_for(world.officer).get(f"/api/v1/tasks/{due.task_id}/form/").json())
    talker = fields["talker1"]
    assert talker["type"] == "choice"
    names = {choice["label"] for choice in talker["choices"]}
    assert {"谈话人甲", "谈话人乙"} <= names and "预备党员丙" not in names
    assert case.member.name not in names
    assert all(choice["role_label"] == "正式党员" for choice in talker["choices"])
    assert "预备党员丙" in {choice["label"] for choice in fields["recorder"]["choices"]}
    assert fields["held_on"]["type"] == "date" and fields["held_on"]["initial"]
    assert fields["place"]["max_length"] == 100

    chosen = [c["value"] for c in talker["choices"] if c["label"] in ("谈话人甲", "谈话人乙")]
    client = client_for(world.officer)
    assert client.post(f"/api/v1/tasks/{due.task_id}/claim/").status_code == 200
    done = client.post(
        f"/api/v1/tasks/{due.task_id}/complete/",
        {
            "step": "talk",
            "talker1": chosen[0],
            "talker2": chosen[1],
            "recorder": chosen[1],
            "held_on": fields["held_on"]["initial"],
            "place": "党支部活动室",
            "content": "谈话内容",
        },
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert done.json()["case_status"] == CaseStatus.LOCATED


def test_the_outreach_form_lists_its_choices_and_their_labels(world, case, client_for):
    due = open_task(case, "outreach")
    fields = _fields(client_for(world.officer).get(f"/api/v1/tasks/{due.task_id}/form/").json())
    assert [c["value"] for c in fields["action"]["choices"]] == [
        "record",
        "located",
        "not_reachable",
    ]
    assert fields["notes"]["required"] is False and fields["notes"]["max_length"] == 2000


def _colleague(world, username="officer2"):
    colleague = make_user(username)
    role_assign(user=colleague, role=Role.CONTACT_OFFICER, organisation=world.branch)
    return colleague


def test_a_task_is_reassigned_to_a_colleague_with_the_role(world, case, client_for):
    colleague = _colleague(world)
    due = open_task(case, "outreach")
    services.task_claim(task_id=due.task_id, user=world.officer)
    client = client_for(world.officer)
    url = f"/api/v1/tasks/{due.task_id}/reassign/"
    nobody = client.post(url, {"to": "no-such-user", "reason": "休假"}, format="json")
    assert nobody.status_code == 422 and nobody.json()["code"] == "unknown_user"
    no_role = client.post(url, {"to": world.coordinator.username}, format="json")
    assert no_role.status_code == 422 and no_role.json()["code"] == "target_lacks_role"
    moved = client.post(url, {"to": colleague.username, "reason": "休假"}, format="json")
    assert moved.status_code == 200, moved.json()
    assert moved.json()["owner"] == colleague.username and moved.json()["owner_name"]
    assert TaskDue.objects.get(task_id=due.task_id).owner_id == colleague.pk
    assert client_for(world.outsider).post(url, {"to": "officer"}, format="json").status_code == 404


def test_bulk_reassign_moves_every_open_task_of_the_absent_officer(
    world, client_for, django_capture_on_commit_callbacks
):
    colleague = _colleague(world)
    cases = [open_case(world, django_capture_on_commit_callbacks) for _ in range(2)]
    ids = []
    for case in cases:
        due = open_task(case, "outreach")
        services.task_claim(task_id=due.task_id, user=world.officer)
        ids.append(due.task_id)
    body = {"absent": world.officer.username, "to": colleague.username, "reason": "病假"}
    officer = client_for(world.officer).post("/api/v1/tasks/bulk-reassign/", body, format="json")
    assert officer.status_code in (403, 404)
    no_reason = client_for(world.secretary).post(
        "/api/v1/tasks/bulk-reassign/", {**body, "reason": ""}, format="json"
    )
    assert no_reason.status_code == 400
    done = client_for(world.secretary).post("/api/v1/tasks/bulk-reassign/", body, format="json")
    assert done.status_code == 200, done.json()
    assert sorted(done.json()["moved"]) == sorted(ids)
    assert set(TaskDue.objects.filter(task_id__in=ids).values_list("owner_id", flat=True)) == {
        colleague.pk
    }
    assert AuditEvent.objects.filter(action__contains="bulk_reassign").count() >= 2


def test_a_reviewer_sends_the_case_back_from_the_case_page_api(world, case, client_for):
    case = outreach_fails(world, case)
    department = make_department(world.department)
    case = step(case, "request_inquiries", world.coordinator, departments=[department.pk])
    from casework.services import inquiries as inq

    (inquiry,) = case.inquiries.all()
    inquiry = inq.inquiry_mark_sent(inquiry=inquiry, actor=world.coordinator)
    inq.inquiry_record_answer(
        inquiry=inquiry, actor=None, answer="not_found", details={}, source="manual"
    )
    assert services.inquiry_wait_resume(case_id=case.pk) is True
    case = step(case, "conclude_search", world.officer, conclusion="not_located")
    case = step(case, "propose", world.secretary, kind="suspend", grounds=[], reasons="经研究")
    assert case.status == CaseStatus.PRE_REVIEW
    url = f"/api/v1/cases/{case.pk}/send-back/"

    assert client_for(world.approver).post(url, {}, format="json").status_code == 400
    refused = client_for(world.officer).post(url, {"comment": "材料不全"}, format="json")
    assert refused.status_code == 403
    back = client_for(world.approver).post(url, {"comment": "材料不全"}, format="json")
    assert back.status_code == 200, back.json()
    assert back.json()["status"] == CaseStatus.NOT_LOCATED
    assert open_nodes(case) == ["propose"]
