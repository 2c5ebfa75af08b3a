"""Issue 16's tracks through /api/v1/: the task form offers the track's one outcome, and the
tasks are completed with the step's payload (POST /api/v1/tasks/{id}/complete/) by users
picked by the task's seat — 自行脱党 → 除名, abroad five years → 停止党籍."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from casework.models import Case, CaseStatus, CaseTrack, ClockKind, MemberStatus
from casework.policy import add_months
from casework.services.detection import detect_lost_contact
from casework.services.ledgers import abroad_record_create
from tests.factories import make_member
from tests.workflows.flow_helpers import open_nodes, open_task, seat_holder, today
from tests.workflows.route_helpers import MEETING_PASSES, is_open

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pdf_render(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)


def _complete(client_for: Any, case: Case, node: str, *exclude: Any, **payload: Any) -> Any:
    due = open_task(case, node)
    user = due.owner if due.owner_id else seat_holder(due, exclude=exclude)
    client = client_for(user)
    if due.owner_id is None:
        assert client.post(f"/api/v1/tasks/{due.task_id}/claim/").status_code == 200
    payload.setdefault("step", node)
    return client.post(f"/api/v1/tasks/{due.task_id}/complete/", payload, format="json")


def _ok(response: Any) -> Any:
    assert response.status_code == 200, response.json()
    return response.json()


def _sweep(django_capture_on_commit_callbacks: Any) -> Case:
    with django_capture_on_commit_callbacks(execute=True):
        assert detect_lost_contact(as_of=today()).tracks_opened == 1
    return Case.objects.get()


def _through_meeting(client_for: Any, case: Case, kind: str, how: str) -> None:
    _ok(_complete(client_for, case, "propose", kind=kind, grounds=[], reasons="经支委会研究"))
    while is_open(case, "pre_review"):
        _ok(_complete(client_for, case, "pre_review", decision="agree"))
    _ok(_complete(client_for, case, "notice", notified_on=today().isoformat(), how=how))
    _ok(_complete(client_for, case, "defence", defence_text="无异议"))
    meeting = {**MEETING_PASSES, "held_on": today().isoformat()}
    meeting.pop("decision")
    _ok(_complete(client_for, case, "meeting", decision="record", **meeting))


def test_a_self_withdrawal_case_is_proposed_and_removed_over_the_api(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    make_member(
        world.branch,
        last_contact_date=today() - dt.timedelta(days=3),
        last_org_life_date=add_months(today(), -7),
        join_date=dt.date(2015, 7, 1),
    )
    case = _sweep(django_capture_on_commit_callbacks)
    assert case.track == CaseTrack.SELF_WITHDRAWAL and open_nodes(case) == ["propose"]
    shown = client_for(world.secretary).get(f"/api/v1/cases/{case.pk}/")
    assert shown.status_code == 200
    assert (shown.json()["track"], shown.json()["status"]) == ("self_withdrawal", "proposal")
    due = open_task(case, "propose")
    form = client_for(world.secretary).get(f"/api/v1/tasks/{due.task_id}/form/")
    assert form.status_code == 200
    fields = {field["name"]: field for field in form.json()["fields"]}
    assert [choice["value"] for choice in fields["kind"]["choices"]] == ["remove"]
    # another outcome is refused (400, nothing written)
    refused = _complete(
        client_for, case, "propose", kind="persuade", grounds=["slack_work"], reasons="理由"
    )
    assert refused.status_code == 422
    case.refresh_from_db()
    assert case.status == CaseStatus.PROPOSAL and case.current_proposal_id is None
    # the wrong role cannot complete it
    wrong = client_for(world.officer).post(
        f"/api/v1/tasks/{due.task_id}/complete/",
        {"step": "propose", "kind": "remove", "grounds": [], "reasons": "理由"},
        format="json",
    )
    assert wrong.status_code in (403, 404, 409)
    _through_meeting(client_for, case, "remove", how="in_person")
    done = _ok(_complete(client_for, case, "approval", world.secretary, decision="agree"))
    assert done["case_status"] == CaseStatus.IN_FORCE
    case.refresh_from_db()
    assert case.member.status == MemberStatus.REMOVED and open_nodes(case) == ["close"]


def test_an_abroad_case_is_suspended_over_the_api(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    member = make_member(world.branch, last_contact_date=today() - dt.timedelta(days=40))
    abroad_record_create(
        member=member,
        destination="某国",
        purpose="定居",
        left_on=today() - dt.timedelta(days=int(365.25 * 7)),
        actor=world.officer,
    )
    case = _sweep(django_capture_on_commit_callbacks)
    assert case.track == CaseTrack.ABROAD
    wrong_ground = _complete(
        client_for, case, "propose", kind="suspend", grounds=["lost_contact"], reasons="理由"
    )
    assert wrong_ground.status_code == 422
    _through_meeting(client_for, case, "suspend", how="post")
    done = _ok(_complete(client_for, case, "approval", world.secretary, decision="agree"))
    assert done["case_status"] == CaseStatus.IN_FORCE
    case.refresh_from_db()
    assert case.member.status == MemberStatus.SUSPENDED
    assert (case.clock_kind, case.clock_due) == (ClockKind.NONE, None)
    assert open_nodes(case) == ["close"]
