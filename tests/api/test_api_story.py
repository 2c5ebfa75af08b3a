"""The whole case story through /api/v1/ only: one case per outcome, from the nightly
detection to the decision in force (and the archive where the flow closes the case) — the
inquiry letters sent and the liaison's answer included — without one HTML view.

Setup that is no screen's work either (the people of the branch, a liaison's account, the
nightly detection sweep) uses services directly. Every step after that is an API call made
by a user picked by the task's role; the values a step form accepts are read from
`GET /tasks/{id}/form/`, never looked up in the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from casework.models import (
    CaseStatus,
    Department,
    InquiryStatus,
    MembershipType,
    MemberStatus,
    Role,
)
from casework.services.detection import detect_lost_contact
from casework.services.organisations import role_assign
from tests.factories import make_member, make_user
from tests.integrations.conftest import FixtureLetterBackend

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_documents(settings, tmp_path, monkeypatch):
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)
    settings.LIANLUO_LETTER_BACKEND = "tests.integrations.conftest.FixtureLetterBackend"
    settings.MEDIA_ROOT = str(tmp_path)
    FixtureLetterBackend.issued = []


@pytest.fixture(autouse=True)
def _api_only(monkeypatch):
    """Every request of these tests goes to /api/v1/: an HTML view is a test failure."""
    from rest_framework.test import APIClient

    generic = APIClient.generic

    def only_the_api(self: Any, method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        assert str(path).startswith("/api/v1/"), f"not an API call: {method} {path}"
        return generic(self, method, path, *args, **kwargs)

    monkeypatch.setattr(APIClient, "generic", only_the_api)


@dataclass
class Story:
    clients: dict[Any, list[Any]]  # role → API clients of users holding it
    on_commit: Any
    liaison: Any = None
    done: list[str] = field(default_factory=list)

    def call(self, client: Any, method: str, url: str, body: Any = None, **kw: Any) -> Any:
        with self.on_commit(execute=True):
            response = getattr(client, method)(url, body, format="json", **kw)
        return response

    def open_tasks(self, case_id: int) -> list[dict[str, Any]]:
        coordinator = self.clients[Role.COORDINATOR][0]
        body = coordinator.get(f"/api/v1/cases/{case_id}/tasks/").json()
        return body["results"]

    def task(self, case_id: int, step: str) -> dict[str, Any]:
        rows = [row for row in self.open_tasks(case_id) if row["step"] == step]
        assert rows, f"no open {step} task: {self.open_tasks(case_id)}"
        return rows[0]

    def holder(self, row: dict[str, Any]) -> Any:
        """A user with the task's role who may take it (claimed now if unclaimed)."""
        for client in self.clients[row["role"]]:
            if row["owner"]:
                me = client.get(f"/api/v1/tasks/{row['task_id']}/").json()
                if me.get("owner") == client.username:
                    return client
                continue
            claimed = self.call(client, "post", f"/api/v1/tasks/{row['task_id']}/claim/")
            if claimed.status_code == 200:
                return client
        raise AssertionError(f"nobody with role {row['role']} may take {row['step']}")

    def form(self, client: Any, row: dict[str, Any]) -> dict[str, Any]:
        body = client.get(f"/api/v1/tasks/{row['task_id']}/form/").json()
        return {f["name"]: f for f in body["fields"]}

    def complete(self, case_id: int, step: str, **data: Any) -> dict[str, Any]:
        row = self.task(case_id, step)
        client = self.holder(row)
        fields = self.form(client, row)
        for name in data:
            assert name in fields, f"{step} has no field {name}"
        response = self.call(
            client, "post", f"/api/v1/tasks/{row['task_id']}/complete/", {"step": step, **data}
        )
        assert response.status_code == 200, (step, response.json())
        self.done.append(step)
        return response.json()

    def complete_with(self, case_id: int, step: str, pick: Any, **data: Any) -> dict[str, Any]:
        """Complete a step whose values depend on the form's choices: `pick(fields)`."""
        row = self.task(case_id, step)
        client = self.holder(row)
        chosen = pick(self.form(client, row))
        response = self.call(
            client,
            "post",
            f"/api/v1/tasks/{row['task_id']}/complete/",
            {"step": step, **chosen, **data},
        )
        assert response.status_code == 200, (step, response.json())
        self.done.append(step)
        return response.json()

    def case(self, case_id: int) -> dict[str, Any]:
        return self.clients[Role.CONTACT_OFFICER][0].get(f"/api/v1/cases/{case_id}/").json()


@pytest.fixture
def story(world, client_for, django_capture_on_commit_callbacks) -> Story:
    def named(user: Any) -> Any:
        client = client_for(user)
        client.username = user.username
        return client

    clients = {
        Role.CONTACT_OFFICER: [named(world.officer)],
        Role.BRANCH_SECRETARY: [named(world.secretary)],
        Role.COMMITTEE_APPROVER: [named(world.approver), named(world.approver2)],
        Role.COORDINATOR: [named(world.coordinator)],
        Role.ADMINISTRATOR: [named(world.admin)],
    }
    for name in ("谈话人甲", "谈话人乙", "记录人丙"):
        make_member(world.branch, name=name, membership_type=MembershipType.FULL)
    return Story(clients=clients, on_commit=django_capture_on_commit_callbacks)


def _detected(world, story: Story, name: str, **member_kw: Any) -> int:
    """A member not seen for seven months; the nightly sweep opens the case."""
    today = timezone.localdate()
    long_ago = today - dt.timedelta(days=215)
    member = make_member(world.branch, name=name, last_contact_date=long_ago, **member_kw)
    with story.on_commit(execute=True):
        result = detect_lost_contact(as_of=today, org=world.branch)
    assert result.opened >= 1
    officer = story.clients[Role.CONTACT_OFFICER][0]
    (case,) = officer.get("/api/v1/cases/", {"member": member.pk}).json()["results"]
    assert case["status"] == CaseStatus.REGISTERED
    return case["id"]


def _talk(fields: dict[str, Any]) -> dict[str, Any]:
    by_name = {c["label"]: c["value"] for c in fields["talker1"]["choices"]}
    recorders = {c["label"]: c["value"] for c in fields["recorder"]["choices"]}
    return {
        "talker1": by_name["谈话人甲"],
        "talker2": by_name["谈话人乙"],
        "recorder": recorders["记录人丙"],
        "held_on": fields["held_on"]["initial"],
    }


def _located(story: Story, case_id: int, cause: str) -> None:
    story.complete(case_id, "outreach", action="located", notes="本人回电")
    story.complete_with(case_id, "talk", _talk, place="党支部活动室", content="问：…\n答：…")
    story.complete(case_id, "assess_cause", cause=cause, notes="经谈话核实")


def _department(story: Story, world) -> int:
    """The coordinator adds a department with a paper channel; its liaison gets an account."""
    coordinator = story.clients[Role.COORDINATOR][0]
    existing = coordinator.get("/api/v1/departments/").json()["results"]
    if existing:
        return existing[0]["id"]
    created = story.call(
        coordinator,
        "post",
        "/api/v1/departments/",
        {
            "organisation": world.department.pk,
            "kind": "public_security",
            "name": "测试公安局",
            "answer_days": 10,
        },
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    channel = story.call(
        coordinator, "put", f"/api/v1/departments/{pk}/channel/", {"kind": "manual"}
    )
    assert channel.status_code == 200
    liaison = make_user("liaison")
    role_assign(
        user=liaison,
        role=Role.LIAISON,
        organisation=world.department,
        department=Department.objects.get(pk=pk),
    )
    story.liaison = liaison
    return pk


def _not_located(story: Story, world, client_for, case_id: int) -> None:
    for channel in ("phone", "relative", "home_visit"):
        story.complete(case_id, "outreach", action="record", channel=channel, outcome="no_answer")
    story.complete(case_id, "outreach", action="not_reachable", notes="多方联系未果")
    department = _department(story, world)

    def departments(fields: dict[str, Any]) -> dict[str, Any]:
        offered = [c["value"] for c in fields["departments"]["choices"]]
        assert department in offered
        return {"departments": [department]}

    story.complete_with(case_id, "request_inquiries", departments)
    coordinator = story.clients[Role.COORDINATOR][0]
    (inquiry,) = coordinator.get("/api/v1/inquiries/", {"case": case_id}).json()["results"]
    assert inquiry["status"] == InquiryStatus.SIGNED and inquiry["sent_at"] is None
    queue = coordinator.get("/api/v1/letters/print-queue/").json()["results"]
    assert [inquiry["id"]] in [letter["inquiries"] for letter in queue]
    printed = story.call(coordinator, "post", "/api/v1/letters/print/")
    assert printed.status_code == 200 and printed["Content-Type"] == "application/pdf"

    liaison = client_for(story.liaison)
    waiting = liaison.get("/api/v1/inquiries/", {"status": "sent"}).json()["results"]
    assert inquiry["id"] in [row["id"] for row in waiting]
    answered = story.call(
        liaison, "post", f"/api/v1/inquiries/{inquiry['id']}/answer/", {"answer": "not_found"}
    )
    assert answered.status_code == 200, answered.json()
    story.complete(case_id, "conclude_search", conclusion="not_located", comment="查找未果")


def _open_steps(story: Story, case_id: int) -> set[str]:
    return {row["step"] for row in story.open_tasks(case_id)}


def _decide(
    story: Story, case_id: int, kind: str, grounds: list[str], how: str = "", **extra: Any
) -> None:
    """Propose, pre-review, notice and defence (where the route has them: 退党 goes straight to
    the meeting and is filed, not approved), the meeting's vote, the committee's approval.
    `how`: how the member is told — a member who was never found cannot be told in person."""
    story.complete(case_id, "propose", kind=kind, grounds=grounds, reasons="事实与理由", **extra)
    while "pre_review" in _open_steps(story, case_id):
        story.complete(case_id, "pre_review", decision="agree", comment="同意")
    if "notice" in _open_steps(story, case_id):
        story.complete(case_id, "notice", notified_on=timezone.localdate().isoformat(), how=how)
        story.complete(case_id, "defence", defence_text="本人无异议")
    if "meeting" in _open_steps(story, case_id):  # a restoration goes to approval directly
        story.complete(
            case_id,
            "meeting",
            decision="record",
            held_on=timezone.localdate().isoformat(),
            place="党员活动室",
            voting_members=9,
            present=8,
            votes_for=8,
            votes_against=0,
            abstentions=0,
        )
    if "approval" in _open_steps(story, case_id):
        story.complete(case_id, "approval", decision="agree", comment="同意")


def _in_force_then_closed(story: Story, case_id: int, member_status: str) -> dict[str, Any]:
    case = story.case(case_id)
    assert case["status"] in (CaseStatus.IN_FORCE, CaseStatus.CLOSED), case
    steps = [row["step"] for row in story.open_tasks(case_id)]
    if "close" in steps:
        story.complete(case_id, "close", comment="归档")
        case = story.case(case_id)
        assert case["status"] == CaseStatus.CLOSED
    officer = story.clients[Role.CONTACT_OFFICER][0]
    member = officer.get(f"/api/v1/members/{case['member']}/").json()
    assert member["status"] == member_status
    documents = officer.get("/api/v1/documents/", {"case": case_id, "page_size": 200}).json()
    kinds = {document["kind"] for document in documents["results"]}
    decided = {"reply", "filing_report", *(k for k in kinds if k.startswith("decision_"))}
    assert kinds & decided, kinds
    return case


def test_a_member_found_again_returns_to_normal(world, story) -> None:
    case_id = _detected(world, story, "回归甲")
    _located(story, case_id, "objective")
    story.complete(case_id, "approval", decision="agree", comment="同意")
    _in_force_then_closed(story, case_id, MemberStatus.NORMAL)


def test_a_member_not_found_is_suspended(world, story, client_for) -> None:
    case_id = _detected(world, story, "停籍乙")
    _not_located(story, world, client_for, case_id)
    _decide(story, case_id, "suspend", ["lost_contact"], how="family")
    case = _in_force_then_closed(story, case_id, MemberStatus.SUSPENDED)
    assert case["status"] == CaseStatus.IN_FORCE
    assert {"restoration"} <= {row["step"] for row in story.open_tasks(case_id)}


def test_a_probationary_member_not_found_loses_probation(world, story, client_for) -> None:
    case_id = _detected(world, story, "预备丁", membership_type=MembershipType.PROBATIONARY)
    _not_located(story, world, client_for, case_id)
    _decide(story, case_id, "annul_probation", ["lost_contact"], how="family")
    _in_force_then_closed(story, case_id, MemberStatus.PROBATION_ANNULLED)


def test_a_member_at_fault_is_given_time_to_correct(world, story) -> None:
    case_id = _detected(world, story, "改正戊")
    _located(story, case_id, "subjective")
    _decide(story, case_id, "correction", ["slack_work", "lax_discipline"], correction_months=6)
    case = story.case(case_id)
    assert case["status"] == CaseStatus.IN_FORCE and not case["clock_due"]  # runs from service
    served = timezone.localdate()
    story.complete(case_id, "serve_decision", served_on=served.isoformat(), how="in_person")
    case = story.case(case_id)
    assert case["clock_due"] and case["clock_due"] > served.isoformat()


def test_a_member_unfit_to_stay_is_removed(world, story) -> None:
    case_id = _detected(world, story, "除名己")
    _located(story, case_id, "unfit")
    _decide(story, case_id, "remove", ["lost_convictions", "lax_discipline"])
    _in_force_then_closed(story, case_id, MemberStatus.REMOVED)


def test_a_member_who_asks_to_leave_withdraws(world, story) -> None:
    case_id = _detected(world, story, "退党庚")
    _located(story, case_id, "asks_to_leave")
    _decide(story, case_id, "withdrawal", [])
    _in_force_then_closed(story, case_id, MemberStatus.WITHDREW)


# ---- the outcomes that follow a decision in force: the clock runs out, the member returns ----


def _time_passes_until(monkeypatch, day: str) -> None:
    """The correction period runs out: time moves to `day` and beat fires the due timers
    (the system's work, not a screen's: a service here, like the detection sweep)."""
    from workflows.tasks import fire_workflow_timers

    moment = timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(9)))
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
    fire_workflow_timers()


def _corrected_or_not(world, story: Story, monkeypatch, name: str, corrected: str) -> int:
    """A member at fault is given six months; the deadline comes; the branch reviews."""
    case_id = _detected(world, story, name)
    _located(story, case_id, "subjective")
    _decide(story, case_id, "correction", ["slack_work", "lax_discipline"], correction_months=6)
    story.complete(
        case_id, "serve_decision", served_on=timezone.localdate().isoformat(), how="in_person"
    )
    clock_due = story.case(case_id)["clock_due"]
    assert clock_due and "correction_review" not in _open_steps(story, case_id)
    _time_passes_until(monkeypatch, clock_due)
    assert "correction_review" in _open_steps(story, case_id)
    story.complete(case_id, "correction_review", corrected=corrected, notes="考察情况")
    return case_id


def test_a_member_who_corrects_in_time_returns_to_normal(world, story, monkeypatch) -> None:
    case_id = _corrected_or_not(world, story, monkeypatch, "改正辛", corrected="1")
    case = story.case(case_id)
    assert case["status"] == CaseStatus.CLOSED, case
    officer = story.clients[Role.CONTACT_OFFICER][0]
    assert officer.get(f"/api/v1/members/{case['member']}/").json()["status"] == (
        MemberStatus.NORMAL
    )


def test_a_member_who_does_not_correct_is_persuaded_and_withdraws(
    world, story, monkeypatch
) -> None:
    """劝退: the correction failed; the branch persuades the member to leave; they do."""
    case_id = _corrected_or_not(world, story, monkeypatch, "劝退壬", corrected="0")
    _decide(story, case_id, "persuade", ["weak_purpose", "slack_work"])
    assert "persuasion_outcome" in _open_steps(story, case_id)
    story.complete(
        case_id,
        "persuasion_outcome",
        withdrew="1",
        on=timezone.localdate().isoformat(),
        notes="本人递交退党申请",
    )
    _in_force_then_closed(story, case_id, MemberStatus.PERSUADED_OUT)
    officer = story.clients[Role.CONTACT_OFFICER][0]
    kinds = {
        d["kind"]
        for d in officer.get("/api/v1/documents/", {"case": case_id, "page_size": 200}).json()[
            "results"
        ]
    }
    assert any("persua" in kind for kind in kinds), kinds


def test_a_persuaded_member_who_refuses_to_leave_is_removed(world, story, monkeypatch) -> None:
    """劝而不退 → 除名: the branch meeting removes the member, the committee approves."""
    case_id = _corrected_or_not(world, story, monkeypatch, "劝而不退癸", corrected="0")
    _decide(story, case_id, "persuade", ["weak_purpose", "slack_work"])
    story.complete(
        case_id,
        "persuasion_outcome",
        withdrew="0",
        on=timezone.localdate().isoformat(),
        notes="经劝告仍坚持不退党",
    )
    _decide(story, case_id, "remove", ["weak_purpose", "slack_work"])
    _in_force_then_closed(story, case_id, MemberStatus.REMOVED)


def test_a_suspended_member_who_returns_is_restored(world, story, client_for) -> None:
    """恢复党籍: the suspended member reappears and applies; the branch proposes, the
    organisation department approves."""
    case_id = _detected(world, story, "恢复子")
    _not_located(story, world, client_for, case_id)
    _decide(story, case_id, "suspend", ["lost_contact"], how="family")
    assert "restoration" in _open_steps(story, case_id)
    story.complete(
        case_id,
        "restoration",
        applied_on=timezone.localdate().isoformat(),
        application="本人因在外地务工更换手机号，现申请恢复党籍。",
    )
    _decide(story, case_id, "restore", [])
    _in_force_then_closed(story, case_id, MemberStatus.NORMAL)
