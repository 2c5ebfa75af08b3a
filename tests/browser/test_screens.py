"""The screens in a real browser: send-back, refusals, the dashboard, claiming by keyboard,
and one set of queues (the flow's own queue pages lead to ours). The whole case story is in
test_case_story.py."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from casework.models import AuditEvent, CaseStatus
from casework.services import cases as svc
from tests.casework.case_helpers import search_fails
from tests.factories import build_world, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_approver_sends_a_proposal_back_through_the_case_page(screens) -> None:
    world = build_world()
    member = make_member(world.branch, name="林小梅", phone="13912345678")
    case = search_fails(world, svc.case_open(member=member, actor=None))
    case = svc.case_propose(case=case, actor=world.officer, kind="suspend", reasons="查找未果")

    officer = screens.login("officer")
    officer.goto(screens.url("/cases/"))
    expect(officer.locator(f'tr[data-case="{case.pk}"]')).to_be_visible()
    screens.shot(officer, "case-list")
    officer.locator(f'tr[data-case="{case.pk}"] a').first.click()
    officer.wait_for_url(f"**/cases/{case.pk}/")
    expect(officer.locator("#member-summary")).to_be_visible()
    body = officer.locator("main").inner_text()
    assert "林小梅" in body and "139****5678" in body and "13912345678" not in body
    screens.shot(officer, "case-send-back")

    approver = screens.login("approver")
    approver.goto(screens.url(f"/cases/{case.pk}/"))
    approver.get_by_label("退回意见").fill("事实不清，请补充查找经过")
    approver.locator("#send-back-form button[type=submit]").click()
    expect(approver.locator(".ll-messages")).to_contain_text("已退回上一环节")
    case.refresh_from_db()
    assert case.status == CaseStatus.NOT_LOCATED
    assert AuditEvent.objects.filter(action="case.send_back").count() == 1


def test_an_outsider_gets_404_on_the_case_url(screens) -> None:
    world = build_world()
    case = svc.case_open(member=make_member(world.branch, name="陈一"), actor=None)

    outsider = screens.login("outsider")
    response = outsider.goto(screens.url(f"/cases/{case.pk}/"))

    assert response is not None and response.status == 404
    assert "陈一" not in outsider.content()


def test_the_dashboard_is_keyboard_usable_and_exports_for_inspection(screens) -> None:
    world = build_world()
    for i in range(5):
        make_member(world.branch, name=f"党员{i}")
    svc.case_open(member=make_member(world.sibling_branch, name="赵二"), actor=None)

    inspector = screens.login("inspector")
    inspector.goto(screens.url("/dashboard/"))
    expect(inspector.locator('[data-figure="members"]')).to_have_text("6")
    screens.shot(inspector, "dashboard")
    period = inspector.get_by_label("统计期间")
    period.focus()
    period.select_option("90")
    inspector.keyboard.press("Tab")
    inspector.keyboard.press("Enter")
    inspector.wait_for_url(re.compile(r"days=90"))
    with inspector.expect_download() as download:
        inspector.locator("#export-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert AuditEvent.objects.filter(action="dashboard.export").count() == 1


def test_an_officer_claims_the_case_from_the_queue_and_opens_the_task(
    screens, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workflows.models import CaseProcess, TaskDue

    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)
    world = build_world()
    case = svc.case_open(member=make_member(world.branch, name="林小梅"), actor=world.officer)
    assert CaseProcess.objects.filter(case=case).exists()
    due = TaskDue.objects.get(case=case, node="outreach")

    officer = screens.login("officer")
    officer.goto(screens.url("/queues/group/"))
    row = officer.locator(f'tr[data-task="{due.task_id}"]')
    expect(row).to_contain_text("林小梅")
    claim = row.locator('button[data-action="claim"]')
    claim.focus()
    officer.keyboard.press("Enter")  # keyboard only
    expect(officer.locator(".ll-messages")).to_contain_text("已认领")
    due.refresh_from_db()
    assert due.owner_id == world.officer.pk
    officer.goto(screens.url("/queues/"))
    expect(officer.locator(f'tr[data-task="{due.task_id}"]')).to_be_visible()
    screens.shot(officer, "queue-inbox")
    officer.locator(f'tr[data-task="{due.task_id}"] td a').first.click()
    officer.wait_for_url(f"**/{due.task_id}/**")
    expect(officer.locator("#task-form")).to_be_visible()
