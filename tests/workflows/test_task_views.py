"""The task forms through their URLs: Chinese errors on the form, 404 out of scope, and the
loser of a double completion sees a clear message (409), never a 500."""

from __future__ import annotations

import pytest

from casework.models import CaseStatus
from tests.workflows.flow_helpers import open_case, open_nodes, open_task
from workflows import services

pytestmark = pytest.mark.django_db


def _url(due) -> str:
    return f"/workflows/{due.task.process_id}/{due.node}/{due.task_id}/execute/"


@pytest.fixture
def case(world, django_capture_on_commit_callbacks):
    return open_case(world, django_capture_on_commit_callbacks)


def test_an_outsider_gets_404_on_the_task_url(world, client, case) -> None:
    due = open_task(case, "outreach")
    client.force_login(world.outsider)
    assert client.get(_url(due)).status_code == 404
    assert client.post(f"/workflows/task/{due.task_id}/claim/").status_code == 404


def test_the_officer_claims_records_attempts_and_finishes_outreach_through_the_form(
    world, client, case, django_capture_on_commit_callbacks
) -> None:
    due = open_task(case, "outreach")
    client.force_login(world.officer)
    assert client.post(f"/workflows/task/{due.task_id}/claim/").status_code == 302
    page = client.get(_url(due))
    assert page.status_code == 200 and "联系查找" in page.content.decode()
    refused = client.post(_url(due), {"action": "not_reachable", "notes": ""})
    assert refused.status_code == 400
    assert "联系查找尚未达到规定要求" in refused.content.decode()
    for channel in ("phone", "relative", "home_visit"):
        r = client.post(_url(due), {"action": "record", "channel": channel, "outcome": "no_answer"})
        assert r.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(_url(due), {"action": "not_reachable", "notes": "多方联系未果"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.INQUIRY and open_nodes(case) == ["request_inquiries"]
    again = client.post(_url(due), {"action": "not_reachable", "notes": "重复提交"})
    assert again.status_code == 409
    assert "该任务已办结" in again.content.decode()


def test_a_task_claimed_by_someone_else_cannot_be_completed(world, client, case) -> None:
    from casework.models import Role
    from tests.factories import make_user

    officer2 = make_user("officer2", Role.CONTACT_OFFICER, world.branch)
    due = open_task(case, "outreach")
    services.task_claim(task_id=due.task_id, user=world.officer)
    client.force_login(officer2)
    response = client.post(_url(due), {"action": "located"})
    assert response.status_code == 409
    assert "已由他人认领" in response.content.decode()
    assert open_nodes(case) == ["outreach"]


def test_open_tasks_always_match_the_case_status(world, client, case) -> None:
    """The invariant, checked after each step of a located path driven through the URLs."""
    from tests.casework.case_helpers import talkers
    from workflows.invariants import open_tasks_match_status

    client.force_login(world.officer)
    due = open_task(case, "outreach")
    client.post(f"/workflows/task/{due.task_id}/claim/")
    assert open_tasks_match_status(case.pk)
    client.post(_url(due), {"action": "located"})
    assert open_tasks_match_status(case.pk) and open_nodes(case) == ["talk"]
    due = open_task(case, "talk")
    client.post(f"/workflows/task/{due.task_id}/claim/")
    a, b = talkers(world)
    r = client.post(
        _url(due),
        {
            "talker1": a.pk,
            "talker2": b.pk,
            "recorder": b.pk,
            "held_on": "2020-01-01",
            "place": "党支部活动室",
            "content": "更换手机",
        },
    )
    assert r.status_code == 302
    assert open_tasks_match_status(case.pk) and open_nodes(case) == ["assess_cause"]
