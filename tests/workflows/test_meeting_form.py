"""The meeting form offers "send back" only to whoever may send back (a reviewer); the branch
secretary recording the vote sees only the vote, and a forged send back is refused."""

from __future__ import annotations

import pytest

from casework.models import CaseStatus, Role
from casework.services.organisations import role_assign
from tests.workflows.flow_helpers import (
    open_case,
    open_nodes,
    open_task,
    propose_to_meeting,
)
from tests.workflows.test_case_flow import _not_located

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_meeting(world, django_capture_on_commit_callbacks):
    case = open_case(world, django_capture_on_commit_callbacks)
    case = _not_located(world, case)
    case = propose_to_meeting(world, case)
    assert open_nodes(case) == ["meeting"]
    return case


def _page(client, case, user):
    from workflows import services

    due = open_task(case, "meeting")
    if due.owner_id is None:
        services.task_claim(task_id=due.task_id, user=user)
    client.force_login(user)
    url = f"/workflows/{due.task.process_id}/meeting/{due.task_id}/execute/"
    return url, client.get(url)


def test_the_branch_secretary_is_not_offered_send_back(world, client, at_meeting) -> None:
    url, page = _page(client, at_meeting, world.secretary)
    assert page.status_code == 200
    html = page.content.decode()
    assert "记录表决结果" in html and "退回上一环节" not in html and "退回意见" not in html
    forged = client.post(url, {"decision": "send_back", "comment": "退回"})
    assert forged.status_code == 200  # an invalid choice on the form, nothing done
    at_meeting.refresh_from_db()
    assert at_meeting.status == CaseStatus.MEETING and open_nodes(at_meeting) == ["meeting"]


def test_a_secretary_who_is_also_a_reviewer_is_offered_send_back(world, client, at_meeting):
    role_assign(user=world.secretary, role=Role.COMMITTEE_APPROVER, organisation=world.committee)
    url, page = _page(client, at_meeting, world.secretary)
    assert "退回上一环节" in page.content.decode()
    done = client.post(url, {"decision": "send_back", "comment": "告知程序有误"})
    assert done.status_code == 302
    at_meeting.refresh_from_db()
    assert at_meeting.status == CaseStatus.DEFENCE and open_nodes(at_meeting) == ["defence"]
