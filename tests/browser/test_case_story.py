"""The whole case story through the real UI, one browser context per person: the officer
claims and works outreach, the coordinator requests, signs and sends the inquiry, the
department's liaison answers "not found" in the portal, the secretary proposes suspension,
the committee pre-reviews, the officer gives notice and closes the defence period, the
secretary records the branch meeting, the proposer is refused the approval, another approver
approves, and the officer previews and downloads the decision PDF. Screenshots of each main
screen go to var/screenshots/ (`make screenshots` copies them to docs/screenshots/)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from casework.models import (
    AuditEvent,
    Case,
    CaseStatus,
    ContactAttempt,
    Inquiry,
    InquiryStatus,
    MembershipType,
    MemberStatus,
    Role,
)
from casework.services import cases as svc
from casework.services.organisations import role_assign
from documents.models import Document
from integrations.models import ChannelKind, DepartmentChannel
from tests.casework.case_helpers import make_department, make_liaison
from tests.factories import build_world, make_member
from tests.integrations.servers import SmtpServer
from workflows.models import TaskDue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _due(case: Case, node: str) -> TaskDue:
    return TaskDue.objects.get(case=case, node=node, state__in=["open", "assigned"])


def _claim_and_open(
    screens: Any, page: Any, case: Case, node: str, queue: str = "group"
) -> TaskDue:
    """Claim the step's task from a queue (keyboard-free click), open it from the inbox."""
    due = _due(case, node)
    page.goto(screens.url(f"/queues/{queue}/"))
    row = page.locator(f'tr[data-task="{due.task_id}"]')
    expect(row).to_be_visible()
    row.locator('button[data-action="claim"]').click()
    expect(page.locator(".ll-messages")).to_contain_text("已认领")
    page.goto(screens.url("/queues/"))
    page.locator(f'tr[data-task="{due.task_id}"] td a').first.click()
    page.wait_for_url(f"**/{due.task_id}/**")
    return due


def _submit(page: Any) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()


def _done(page: Any) -> None:
    try:
        expect(page.locator(".ll-messages")).to_contain_text("任务已办结")
    except AssertionError as exc:  # say what the page said instead
        raise AssertionError(page.locator("main").inner_text()) from exc


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpServer]:
    """The department's mail server (the email channel speaks SMTP itself)."""
    server = SmtpServer()
    server.start()
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    yield server
    server.stop()


def test_the_case_story_from_the_queue_to_the_decision_pdf(
    screens, settings, tmp_path, smtp
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    world = build_world()
    # The secretary also sits on the committee as an approver: four-eyes must still refuse
    # them the approval of their own proposal.
    role_assign(user=world.secretary, role=Role.COMMITTEE_APPROVER, organisation=world.committee)
    for name in ("谈话人甲", "谈话人乙"):
        make_member(world.branch, name=name, membership_type=MembershipType.FULL)
    department = make_department(world.department)
    DepartmentChannel.objects.create(
        department=department, kind=ChannelKind.EMAIL, email="xiecha@gaj.example.gov.cn"
    )
    make_liaison("liaison", department)
    member = make_member(world.branch, name="林小梅", phone="13912345678")
    case = svc.case_open(member=member, actor=world.officer, circumstance="1")

    # 1. The officer claims outreach from the group queue and records three attempts.
    officer = screens.login("officer")
    officer.goto(screens.url("/queues/group/"))
    expect(officer.locator(f'tr[data-task="{_due(case, "outreach").task_id}"]')).to_contain_text(
        "林小梅"
    )
    screens.shot(officer, "queue-group")
    due = _claim_and_open(screens, officer, case, "outreach")
    for channel in ("phone", "relative", "home_visit"):
        officer.select_option("#id_action", "record")
        officer.select_option("#id_channel", channel)
        officer.select_option("#id_outcome", "no_answer")
        _submit(officer)
        expect(officer.locator(".ll-messages")).to_contain_text("已记录联系情况")
    screens.shot(officer, "task-outreach")
    officer.select_option("#id_action", "not_reachable")
    officer.fill("#id_notes", "电话、亲属、上门均未联系上")
    _submit(officer)
    _done(officer)
    case.refresh_from_db()
    assert (
        case.status == CaseStatus.INQUIRY and ContactAttempt.objects.filter(case=case).count() == 3
    )
    officer.goto(screens.url("/queues/archive/"))
    expect(officer.locator(f'tr[data-task="{due.task_id}"]')).to_be_visible()

    # 2. The coordinator requests the inquiry; completing the task signs it, and the
    #    department's letter is numbered and sent by email once the step commits.
    coordinator = screens.login("coordinator")
    _claim_and_open(screens, coordinator, case, "request_inquiries")
    coordinator.get_by_label(department.name).check()
    _submit(coordinator)
    _done(coordinator)
    inquiry = Inquiry.objects.get(case=case)
    assert inquiry.status == InquiryStatus.SENT and len(smtp.messages) == 1
    coordinator.goto(screens.url("/coordination/letters/"))
    expect(coordinator.locator("#letters")).to_contain_text(department.name)
    screens.shot(coordinator, "coordination-letters")

    # 3. The department's liaison answers "not found" in the portal.
    liaison = screens.login("liaison")
    liaison.goto(screens.url("/liaison/"))
    liaison.locator(f'tr[data-inquiry="{inquiry.pk}"] a').click()
    liaison.wait_for_url(f"**/liaison/{inquiry.pk}/")
    liaison.locator('input[name="answer"][value="not_found"]').check()
    screens.shot(liaison, "liaison-answer")
    liaison.get_by_role("button", name="提交答复").click()
    expect(liaison.locator("#answer")).to_contain_text("未查到")
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ANSWERED and inquiry.answer == "not_found"
    # The answer's hook ended the wait (no beat sweep needed): the conclusion step is open.
    assert TaskDue.objects.filter(case=case, node="conclude_search").exists()

    # 4. The officer concludes the search: not located.
    _claim_and_open(screens, officer, case, "conclude_search")
    officer.select_option("#id_conclusion", "not_located")
    officer.fill("#id_comment", "部门协查未查到")
    _submit(officer)
    _done(officer)

    # 5. The branch secretary proposes suspension.
    secretary = screens.login("secretary")
    _claim_and_open(screens, secretary, case, "propose")
    secretary.select_option("#id_kind", "suspend")
    secretary.fill("#id_reasons", "经支委会研究，失联超过六个月且查找未果")
    _submit(secretary)
    _done(secretary)

    # 6. The committee pre-reviews from the approval queue.
    approver = screens.login("approver")
    approver.goto(screens.url("/queues/approvals/"))
    expect(approver.locator(f'tr[data-task="{_due(case, "pre_review").task_id}"]')).to_be_visible()
    screens.shot(approver, "queue-approvals")
    _claim_and_open(screens, approver, case, "pre_review", queue="approvals")
    approver.select_option("#id_decision", "agree")
    _submit(approver)
    _done(approver)

    # 7. Notice to the member and the defence period, by the officer. A member who cannot
    #    be found is not told "in person": the page refuses it; the family receives it.
    _claim_and_open(screens, officer, case, "notice")
    officer.select_option("#id_how", "in_person")
    _submit(officer)
    expect(officer.locator("[role=alert]")).to_contain_text("党员尚未找到")
    officer.select_option("#id_how", "family")
    _submit(officer)
    _done(officer)
    _claim_and_open(screens, officer, case, "defence")
    officer.fill("#id_defence_text", "本人委托亲属书面回复：无异议")
    _submit(officer)
    _done(officer)

    # 8. The secretary records the branch meeting.
    _claim_and_open(screens, secretary, case, "meeting")
    secretary.select_option("#id_decision", "record")
    for field, value in (
        ("voting_members", "9"),
        ("present", "8"),
        ("votes_for", "7"),
        ("votes_against", "1"),
        ("abstentions", "0"),
        ("place", "党员活动室"),
    ):
        secretary.fill(f"#id_{field}", value)
    _submit(secretary)
    _done(secretary)
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVAL

    # 9. The proposer holds the approver role but is refused the approval.
    #    The approval queue does not offer it to them (the same rule as case_approve) …
    approval = _due(case, "approval")
    secretary.goto(screens.url("/queues/approvals/"))
    expect(secretary.locator("#queue")).to_be_visible()
    expect(secretary.locator(f'tr[data-task="{approval.task_id}"]')).to_have_count(0)
    screens.shot(secretary, "queue-approvals-four-eyes")
    #    … and if they claim it anyway (an old link), completing it is refused.
    secretary.goto(screens.url("/queues/group/"))
    token = secretary.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    forced = secretary.request.post(
        screens.url(f"/queues/task/{approval.task_id}/claim/"),
        form={"csrfmiddlewaretoken": token},
    )
    assert forced.ok
    secretary.goto(
        screens.url(f"/workflows/{approval.task.process_id}/approval/{approval.task_id}/execute/")
    )
    secretary.select_option("#id_decision", "agree")
    _submit(secretary)
    expect(secretary.locator("[role=alert]")).to_contain_text("提议人不能审批自己的提议")
    screens.shot(secretary, "task-approval-refused")
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVAL
    assert not AuditEvent.objects.filter(action="case.approve").exists()
    secretary.get_by_role("button", name="退回队列").click()
    expect(secretary.locator(".ll-messages")).to_contain_text("已退回队列")

    # 10. Another approver approves: the decision is in force, the member suspended.
    approver2 = screens.login("approver2")
    _claim_and_open(screens, approver2, case, "approval", queue="approvals")
    approver2.select_option("#id_decision", "agree")
    approver2.fill("#id_comment", "同意停止党籍")
    _submit(approver2)
    _done(approver2)
    case.refresh_from_db()
    case.member.refresh_from_db()
    assert case.status == CaseStatus.IN_FORCE
    assert case.member.status == MemberStatus.SUSPENDED
    assert approval.task_id != _due(case, "restoration").task_id

    # 11. The officer sees the current step on the case page, previews and downloads the PDF.
    decision = Document.objects.get(case=case, kind="decision_suspension")
    officer.goto(screens.url(f"/cases/{case.pk}/"))
    expect(officer.locator("#case-stage")).to_have_text(case.get_status_display())
    expect(officer.locator('[data-node="restoration"]')).to_be_visible()
    screens.shot(officer, "case-page")
    row = officer.locator(f'tr[data-document="{decision.pk}"]')
    expect(row.locator('a[data-action="download"]')).to_be_visible()
    downloads_before = AuditEvent.objects.filter(action="document.download").count()
    preview = officer.locator(f'tr[data-preview="{decision.pk}"] details')
    preview.locator("summary").click()
    image = preview.locator("img")
    expect(image).to_be_visible()
    officer.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    image.scroll_into_view_if_needed()
    screens.shot(officer, "case-document-preview")
    with officer.expect_download() as download:
        row.locator('a[data-action="download"]').click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="document.download").count() == downloads_before + 2
