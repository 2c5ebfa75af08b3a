"""The officer's phone, in the browser at 1366×768 and at 390×844: claim the outreach from the
group queue, open it, reveal the member's phone (audited), call it (tel: link), log the
outcome in one tap, meet the minimum and complete the outreach. On the phone the queue is a
list of cards and no page scrolls sideways; no personal data ever appears in a URL."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from casework.models import AuditEvent, CaseStatus, ContactAttempt
from casework.services import cases as svc
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import build_world, make_member
from workflows.models import TaskDue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBER = "13912345678"


def _fits(page: Any, viewport: dict[str, int]) -> None:
    """Nothing wider than the screen (no sideways scrolling)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1, f"{page.url} is {width}px wide"


def _submit(page: Any) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_officer_claims_reveals_calls_logs_and_completes_outreach(screens, size) -> None:
    viewport = PHONE if size == "phone" else DESKTOP
    world = build_world()
    member = make_member(world.branch, name="林小梅", phone=NUMBER, contact_officer=world.officer)
    case = svc.case_open(member=member, actor=None)
    due = TaskDue.objects.get(case=case, node="outreach")
    officer = screens.login("officer", viewport=viewport)
    urls: list[str] = []
    officer.on("request", lambda request: urls.append(request.url))

    # claim from the group queue (a card on the phone)
    officer.goto(screens.url("/queues/group/"))
    card = officer.locator(f'tr[data-task="{due.task_id}"]')
    expect(card).to_contain_text("林小梅")
    if size == "phone":
        assert card.evaluate("el => getComputedStyle(el).display") == "block"
        _fits(officer, viewport)
    screens.shot(officer, f"officer-1-queue-{size}")
    card.locator('button[data-action="claim"]').click()
    expect(officer.locator(".ll-messages")).to_contain_text("已认领")

    # open it from the inbox: the member's card with the phone masked
    officer.goto(screens.url("/queues/"))
    officer.locator(f'tr[data-task="{due.task_id}"] td a').first.click()
    officer.wait_for_url(f"**/{due.task_id}/execute/")
    expect(officer.locator("#member-card")).to_contain_text("139****5678")
    assert NUMBER not in officer.content()
    expect(officer.locator("#minimum")).to_contain_text("还需")
    if size == "phone":
        _fits(officer, viewport)
    screens.shot(officer, f"officer-2-task-{size}")

    # reveal (audited) and call
    officer.locator("#call").click()
    dial = officer.locator("#dial")
    expect(dial).to_have_attribute("href", f"tel:{NUMBER}")
    box = dial.bounding_box()
    assert box is not None and box["height"] >= 44  # a thumb's target
    assert AuditEvent.objects.filter(action="member.reveal", actor_id=world.officer.pk).count() == 1
    if size == "phone":
        _fits(officer, viewport)
    screens.shot(officer, f"officer-3-call-{size}")

    # one tap logs the outcome on the task; back on the task page
    with officer.expect_navigation():
        officer.locator('#quick-outcome button[data-outcome="no_answer"]').click()
    expect(officer.locator(".ll-messages")).to_contain_text("已记录联系情况")
    expect(officer.locator("[data-attempt]")).to_have_count(1)
    attempt = ContactAttempt.objects.get(case=case)
    assert (attempt.channel, attempt.outcome) == ("phone", "no_answer")

    # the minimum: a relative and a visit, through the task form
    for channel in ("relative", "home_visit"):
        officer.select_option("#id_action", "record")
        officer.select_option("#id_channel", channel)
        officer.select_option("#id_outcome", "no_answer")
        _submit(officer)
        expect(officer.locator(".ll-messages")).to_contain_text("已记录联系情况")
    expect(officer.locator("#minimum")).to_have_attribute("data-met", "1")
    screens.shot(officer, f"officer-4-minimum-{size}")

    # complete the outreach: nobody reachable, the case asks for inquiries
    officer.select_option("#id_action", "not_reachable")
    officer.fill("#id_notes", "电话、亲属、上门均未联系上")
    if size == "phone":
        _fits(officer, viewport)
    _submit(officer)
    expect(officer.locator(".ll-messages")).to_contain_text("任务已办结")
    case.refresh_from_db()
    assert case.status == CaseStatus.INQUIRY
    assert ContactAttempt.objects.filter(case=case).count() == 3
    assert not [url for url in urls if NUMBER in url or "139****" in url]
