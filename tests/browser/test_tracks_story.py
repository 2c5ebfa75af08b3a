"""Issue 16's 自行脱党 track through the real UI: the nightly sweep opens a case for a member
the branch reached last week but who has had no organisational life for eight months; the
case page says it is a 自行脱党 case; the branch secretary's proposal page offers removal (除名)
only, on the 自行脱党 ground; after the meeting and the committee's approval the member is
removed and the decision says why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from casework.models import Case, CaseStatus, CaseTrack, MemberStatus, Proposal
from casework.policy import add_months
from casework.services.detection import detect_lost_contact
from tests.factories import build_world, make_member
from tests.workflows.flow_helpers import open_nodes, today
from tests.workflows.route_helpers import (
    MEETING_PASSES,
    act,
    approve,
    is_open,
    last_document,
    text_of,
)
from workflows import services
from workflows.models import TaskDue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings, tmp_path, monkeypatch) -> Any:
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)
    return build_world()


def test_a_self_withdrawal_case_is_proposed_on_the_task_page(
    screens, world, django_capture_on_commit_callbacks
) -> None:
    make_member(
        world.branch,
        name="赵脱",
        join_date=dt.date(2014, 7, 1),
        last_contact_date=today() - dt.timedelta(days=6),
        last_org_life_date=add_months(today(), -8),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert detect_lost_contact(as_of=today()).tracks_opened == 1
    case = Case.objects.get()
    assert case.track == CaseTrack.SELF_WITHDRAWAL and open_nodes(case) == ["propose"]
    due = TaskDue.objects.get(case=case, node="propose", state__in=["open", "assigned"])
    if due.owner_id is None:
        services.task_claim(task_id=due.task_id, user=world.secretary)

    secretary = screens.login("secretary")
    secretary.goto(screens.url(f"/cases/{case.pk}/"))
    expect(secretary.locator("#case-track")).to_contain_text("自行脱党")
    secretary.goto(screens.url(f"/workflows/{due.task.process_id}/propose/{due.task_id}/execute/"))
    options = secretary.locator("#id_kind option")
    expect(options).to_have_count(1)
    expect(options.first).to_have_text("除名")
    expect(secretary.locator('input[name="grounds"][value="self_withdrawal"]')).to_be_checked()
    secretary.fill("#id_reasons", "该同志连续八个月无正当理由不参加党的组织生活，经教育仍不参加")
    screens.shot(secretary, "task-propose-self-withdrawal")
    with secretary.expect_navigation():
        secretary.get_by_role("button", name="提交").click()
    expect(secretary.locator(".ll-messages")).to_contain_text("任务已办结")

    case.refresh_from_db()
    assert case.status == CaseStatus.PRE_REVIEW
    assert Proposal.objects.get(case=case).grounds == ["self_withdrawal"]
    while is_open(case, "pre_review"):
        case = act(case, "pre_review", decision="agree")
    case = act(case, "notice", notified_on=today(), how="in_person")
    case = act(case, "defence", defence_text="无异议")
    case = act(case, "meeting", **{**MEETING_PASSES, "held_on": today()})
    case = approve(case, world, decision="agree")
    case.refresh_from_db()
    assert case.member.status == MemberStatus.REMOVED
    assert "按自行脱党予以除名" in text_of(last_document(case, "decision_removal"))
    secretary.goto(screens.url(f"/cases/{case.pk}/"))
    expect(secretary.locator("main")).to_contain_text("除名")
    screens.shot(secretary, "case-page-self-withdrawal-removed")
