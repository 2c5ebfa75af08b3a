"""Issue 16's routes through the real UI: the approving committee refuses a suspension (不予
批准) with its reason on the approval page; the case goes back to the branch secretary's
proposal step, the refusal is on the case page's timeline and its reply (批复) says why. A
branch meeting's vote that fails is recorded on the meeting page: the resolution says the
proposal did not pass and the case goes back to the branch. A persuaded member who will not
withdraw (劝而不退) is recorded on the persuasion-outcome page, and the removal follows. A
member who cannot be found is told by public notice (公告) on the notice page: the publication
period runs first, then the defence period. The organisation department pre-reviews a removal
from its approval queue; a withdrawal (退党) is proposed, voted and filed on the task pages; a
refused restoration goes back to the suspension and its clock; an appeal is received on the
case page and upheld on its task page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from casework.models import (
    CaseStatus,
    ClockKind,
    MemberStatus,
    PreReview,
    Proposal,
    ProposalKind,
    ProposalStatus,
)
from documents.models import IssuerProfile
from tests.factories import build_world
from tests.workflows.flow_helpers import (
    locate_and_assess,
    open_case,
    open_nodes,
    seat_holder,
    today,
)
from tests.workflows.route_helpers import (
    act,
    approve,
    last_document,
    not_located,
    text_of,
    to_approval,
)
from workflows import services
from workflows.models import TaskDue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings, tmp_path, monkeypatch) -> Any:
    """The test world, with documents written under tmp_path and rendered on demand (the
    routes' text is read from the rendered PDFs by `text_of`)."""
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)
    return build_world()


def _submit(page: Any) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()


def test_the_committee_refuses_a_suspension_on_the_approval_page(
    screens, world, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = to_approval(world, not_located(world, case), "suspend")
    due = TaskDue.objects.get(case=case, node="approval", state__in=["open", "assigned"])

    approver = screens.login("approver2")
    approver.goto(screens.url("/queues/approvals/"))
    row = approver.locator(f'tr[data-task="{due.task_id}"]')
    expect(row).to_be_visible()
    row.locator('button[data-action="claim"]').click()
    expect(approver.locator(".ll-messages")).to_contain_text("已认领")
    approver.goto(screens.url(f"/workflows/{due.task.process_id}/approval/{due.task_id}/execute/"))
    # a refusal without its reason is refused by the form, nothing changes
    approver.select_option("#id_decision", "refuse")
    _submit(approver)
    expect(approver.locator("main")).to_contain_text("不予批准须写明理由")
    approver.select_option("#id_decision", "refuse")
    approver.select_option("#id_then", "branch")
    approver.fill("#id_comment", "部门协查范围不足，请补充查找后再报")
    screens.shot(approver, "task-approval-refuse")
    _submit(approver)
    expect(approver.locator(".ll-messages")).to_contain_text("任务已办结")

    case.refresh_from_db()
    case.member.refresh_from_db()
    assert case.status == CaseStatus.PROPOSAL and open_nodes(case) == ["propose"]
    assert case.member.status == MemberStatus.NORMAL
    assert case.proposals.get().status == ProposalStatus.REFUSED
    reply = text_of(last_document(case, "reply"))
    assert "不同意" in reply and "部门协查范围不足" in reply

    # the secretary finds the proposal step again; the case page shows the refusal
    secretary = screens.login("secretary")
    secretary.goto(screens.url(f"/cases/{case.pk}/"))
    expect(secretary.locator("main")).to_contain_text("不予批准")
    expect(secretary.locator('[data-node="propose"]')).to_be_visible()
    screens.shot(secretary, "case-page-refused")


def test_a_failed_vote_is_recorded_on_the_meeting_page(
    screens, world, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = not_located(world, case)
    case = act(case, "propose", kind="suspend", reasons="经支委会研究")
    case = act(case, "pre_review", decision="agree")
    case = act(case, "notice", notified_on=today(), how="family")
    case = act(case, "defence", defence_text="无异议")
    due = TaskDue.objects.get(case=case, node="meeting", state__in=["open", "assigned"])
    if due.owner_id is None:
        services.task_claim(task_id=due.task_id, user=world.secretary)

    secretary = screens.login("secretary")
    secretary.goto(screens.url(f"/workflows/{due.task.process_id}/meeting/{due.task_id}/execute/"))
    secretary.select_option("#id_decision", "record")
    secretary.fill("#id_held_on", today().isoformat())
    secretary.fill("#id_place", "党员活动室")
    for field, value in (
        ("voting_members", 9),
        ("present", 7),
        ("votes_for", 4),
        ("votes_against", 3),
        ("abstentions", 0),
    ):
        secretary.fill(f"#id_{field}", str(value))
    screens.shot(secretary, "task-meeting-failed-vote")
    _submit(secretary)
    expect(secretary.locator(".ll-messages")).to_contain_text("任务已办结")

    case.refresh_from_db()
    case.member.refresh_from_db()
    assert case.status == CaseStatus.PROPOSAL and open_nodes(case) == ["propose"]
    assert case.proposals.get().status == ProposalStatus.REJECTED
    assert case.member.status == MemberStatus.NORMAL
    text = text_of(last_document(case, "meeting_resolution"))
    assert "提议未获通过" in text and "获得通过" not in text


def test_persuaded_but_refusing_is_recorded_on_its_page_and_the_removal_follows(
    screens, world, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = locate_and_assess(world, case, cause="unfit")
    case = to_approval(world, case, "persuade", ["weak_purpose"])
    case = approve(case, world, decision="agree")
    assert open_nodes(case) == ["persuasion_outcome"]
    due = TaskDue.objects.get(case=case, node="persuasion_outcome", state__in=["open", "assigned"])
    if due.owner_id is None:
        services.task_claim(task_id=due.task_id, user=world.officer)

    officer = screens.login("officer")
    officer.goto(
        screens.url(f"/workflows/{due.task.process_id}/persuasion_outcome/{due.task_id}/execute/")
    )
    officer.select_option("#id_withdrew", "0")
    officer.fill("#id_on", today().isoformat())
    officer.fill("#id_notes", "经劝告仍坚持不退党")
    screens.shot(officer, "task-persuasion-outcome-refuses")
    _submit(officer)
    expect(officer.locator(".ll-messages")).to_contain_text("任务已办结")

    case.refresh_from_db()
    assert case.status == CaseStatus.PROPOSAL and open_nodes(case) == ["propose"]
    assert case.suggested_kinds == [ProposalKind.REMOVE]
    case = to_approval(world, case, "remove", ["weak_purpose"])
    case = approve(case, world, decision="agree")
    case.member.refresh_from_db()
    assert case.member.status == MemberStatus.REMOVED
    text = text_of(last_document(case, "decision_removal_persuaded"))
    assert "仍坚持不退党" in text and "除名处置" in text


def test_a_lost_member_is_told_by_public_notice_on_the_notice_page(
    screens, world, django_capture_on_commit_callbacks
) -> None:
    # the notice prints the branch's contact and the date contact was lost
    IssuerProfile.objects.update_or_create(
        organisation=world.branch,
        defaults={"contact_person": "林晓东", "contact_phone": "0591-87654321"},
    )
    lost_since = today() - dt.timedelta(days=200)
    case = open_case(world, django_capture_on_commit_callbacks, last_contact_date=lost_since)
    case = not_located(world, case)
    case = act(case, "propose", kind="suspend", reasons="经支委会研究")
    case = act(case, "pre_review", decision="agree")
    due = TaskDue.objects.get(case=case, node="notice", state__in=["open", "assigned"])
    if due.owner_id is None:
        services.task_claim(task_id=due.task_id, user=world.officer)

    officer = screens.login("officer")
    officer.goto(screens.url(f"/workflows/{due.task.process_id}/notice/{due.task_id}/execute/"))
    published = today()
    officer.fill("#id_notified_on", published.isoformat())
    officer.select_option("#id_how", "public_notice")
    screens.shot(officer, "task-notice-public-notice")
    _submit(officer)
    expect(officer.locator(".ll-messages")).to_contain_text("任务已办结")

    case.refresh_from_db()
    assert case.status == CaseStatus.DEFENCE and open_nodes(case) == ["defence"]
    proposal = Proposal.objects.get(case=case)
    assert proposal.notice_published_on == published
    assert proposal.notified_on == published + dt.timedelta(days=30)
    assert proposal.defence_until == published + dt.timedelta(days=37)
    notice = text_of(last_document(case, "public_notice"))
    assert "自本公告发布之日起30日内" in notice and "停止党籍" in notice


def _claimed_by_seat(case: Any, node: str) -> tuple[TaskDue, Any]:
    """The open `node` task, claimed (when nobody has it) by a holder of its seat."""
    due = TaskDue.objects.get(case=case, node=node, state__in=["open", "assigned"])
    if due.owner_id is None:
        services.task_claim(task_id=due.task_id, user=seat_holder(due))
        due.refresh_from_db()
    return due, due.owner


def _task_page(screens: Any, due: TaskDue, username: str) -> Any:
    page = screens.login(username)
    page.goto(screens.url(f"/workflows/{due.task.process_id}/{due.node}/{due.task_id}/execute/"))
    return page


def test_the_department_pre_reviews_a_removal_from_its_queue(
    screens, world, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = locate_and_assess(world, case, cause="unfit")
    case = act(case, "propose", kind="remove", grounds=["weak_purpose"], reasons="经支委会研究")
    case = act(case, "pre_review", decision="agree")  # the committee's level
    due = TaskDue.objects.get(case=case, node="pre_review", state__in=["open", "assigned"])
    assert (due.role, due.role_organisation_id, due.owner_id) == (
        "coordinator",
        world.department.pk,
        None,
    )

    # the committee's approver does not find the department's level in their queue
    approver = screens.login("approver")
    approver.goto(screens.url("/queues/approvals/"))
    expect(approver.locator(f'tr[data-task="{due.task_id}"]')).to_have_count(0)

    coordinator = screens.login("coordinator")
    coordinator.goto(screens.url("/queues/approvals/"))
    row = coordinator.locator(f'tr[data-task="{due.task_id}"]')
    expect(row).to_be_visible()
    row.locator('button[data-action="claim"]').click()
    expect(coordinator.locator(".ll-messages")).to_contain_text("已认领")
    coordinator.goto(
        screens.url(f"/workflows/{due.task.process_id}/pre_review/{due.task_id}/execute/")
    )
    coordinator.select_option("#id_decision", "agree")
    coordinator.fill("#id_comment", "经组织部门预审，同意按程序办理")
    screens.shot(coordinator, "task-pre-review-department")
    _submit(coordinator)
    expect(coordinator.locator(".ll-messages")).to_contain_text("任务已办结")

    case.refresh_from_db()
    assert case.status == CaseStatus.DEFENCE and open_nodes(case) == ["notice"]
    levels = PreReview.objects.filter(proposal__case=case).order_by("pk")
    assert [(r.level, r.reviewer_id) for r in levels] == [
        ("committee", world.approver.pk),
        ("department", world.coordinator.pk),
    ]


def test_a_withdrawal_is_proposed_voted_and_filed_on_the_pages(
    screens, world, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = locate_and_assess(world, case, cause="asks_to_leave")

    due, secretary_user = _claimed_by_seat(case, "propose")
    secretary = _task_page(screens, due, secretary_user.username)
    secretary.select_option("#id_kind", "withdrawal")
    secretary.fill("#id_reasons", "本人书面提出退党要求，经支委会研究")
    screens.shot(secretary, "task-propose-withdrawal")
    _submit(secretary)
    expect(secretary.locator(".ll-messages")).to_contain_text("任务已办结")
    case.refresh_from_db()
    assert case.status == CaseStatus.MEETING and open_nodes(case) == ["meeting"]

    due, recorder = _claimed_by_seat(case, "meeting")
    page = _task_page(screens, due, recorder.username)
    page.select_option("#id_decision", "record")
    page.fill("#id_held_on", today().isoformat())
    page.fill("#id_place", "党员活动室")
    for field, value in (
        ("voting_members", 9),
        ("present", 8),
        ("votes_for", 7),
        ("votes_against", 1),
        ("abstentions", 0),
    ):
        page.fill(f"#id_{field}", str(value))
    _submit(page)
    expect(page.locator(".ll-messages")).to_contain_text("任务已办结")

    case.refresh_from_db()
    case.member.refresh_from_db()
    assert case.status == CaseStatus.IN_FORCE and open_nodes(case) == ["close"]
    assert case.member.status == MemberStatus.WITHDREW
    assert not TaskDue.objects.filter(case=case, node__in=["pre_review", "notice", "approval"])
    assert "备案" in text_of(last_document(case, "filing_report"))

    due, closer = _claimed_by_seat(case, "close")
    page = _task_page(screens, due, closer.username)
    page.fill("#id_comment", "已报党委备案，材料归档")
    _submit(page)
    expect(page.locator(".ll-messages")).to_contain_text("任务已办结")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.outcome == ProposalKind.WITHDRAWAL
    page.goto(screens.url(f"/cases/{case.pk}/"))
    expect(page.locator("main")).to_contain_text("退党")


def test_a_refused_restoration_goes_back_to_the_suspension_clock_on_the_pages(
    screens, world, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = approve(to_approval(world, not_located(world, case), "suspend"), world, decision="agree")
    clock_due = case.clock_due
    assert case.clock_kind == ClockKind.SUSPENSION and clock_due is not None

    # the member reappears and applies, on the restoration page
    due, officer_user = _claimed_by_seat(case, "restoration")
    officer = _task_page(screens, due, officer_user.username)
    officer.fill("#id_applied_on", today().isoformat())
    officer.fill("#id_application", "本人申请恢复党籍，说明失联期间情况")
    _submit(officer)
    expect(officer.locator(".ll-messages")).to_contain_text("任务已办结")
    case.refresh_from_db()
    case = act(case, "propose", kind="restore", reasons="经支委会考察")
    case = act(case, "pre_review", decision="agree")

    # the department refuses on the approval page, with its reason
    due, department_user = _claimed_by_seat(case, "approval")
    assert due.role == "coordinator"
    page = _task_page(screens, due, department_user.username)
    page.select_option("#id_decision", "refuse")
    page.fill("#id_comment", "失联期间情况未说明清楚，不符合恢复党籍条件")
    screens.shot(page, "task-approval-refuse-restoration")
    _submit(page)
    expect(page.locator(".ll-messages")).to_contain_text("任务已办结")

    case.refresh_from_db()
    case.member.refresh_from_db()
    assert case.status == CaseStatus.IN_FORCE
    assert (case.clock_kind, case.clock_due) == (ClockKind.SUSPENSION, clock_due)
    assert case.member.status == MemberStatus.SUSPENDED
    assert open_nodes(case) == ["restoration", "restoration__timeout"]
    reply = text_of(last_document(case, "reply"))
    assert "不同意" in reply and "不符合恢复党籍条件" in reply

    # the case page shows the suspension's restoration step again, due by the clock
    secretary = screens.login("secretary")
    secretary.goto(screens.url(f"/cases/{case.pk}/"))
    expect(secretary.locator('[data-node="restoration"]')).to_be_visible()
    expect(secretary.locator("main")).to_contain_text("不予批准")
    screens.shot(secretary, "case-page-restoration-refused")


def test_an_appeal_is_received_on_the_case_page_and_upheld_on_its_task_page(
    screens, world, django_capture_on_commit_callbacks
) -> None:
    from casework.models import Appeal

    case = open_case(world, django_capture_on_commit_callbacks)
    case = approve(to_approval(world, not_located(world, case), "suspend"), world, decision="agree")
    due_day = case.clock_due

    # the branch's officer receives the member's appeal on the case page
    officer = screens.login("officer")
    officer.goto(screens.url(f"/cases/{case.pk}/"))
    card = officer.locator("#appeal-card")
    expect(card).to_be_visible()
    officer.fill("#id_grounds", "本人长期在外务工，并非故意与党组织失去联系")
    officer.fill("#id_received_on", today().isoformat())
    screens.shot(officer, "case-page-appeal-card")
    with officer.expect_navigation():
        card.locator('button[data-action="appeal"]').click()
    expect(officer.locator(".ll-messages")).to_contain_text("申诉已受理")
    expect(officer.locator('[data-outcome="pending"]')).to_be_visible()
    assert last_document(case, "appeal_acknowledgement").issuer == world.department

    # the organisation department's coordinator finds it in the approval queue and upholds it
    due = TaskDue.objects.get(case=case, node="appeal_review", state="open")
    coordinator = screens.login("coordinator")
    coordinator.goto(screens.url("/queues/approvals/"))
    row = coordinator.locator(f'tr[data-task="{due.task_id}"]')
    expect(row).to_be_visible()
    row.locator('button[data-action="claim"]').click()
    expect(coordinator.locator(".ll-messages")).to_contain_text("已认领")
    coordinator.goto(
        screens.url(f"/workflows/{due.task.process_id}/appeal_review/{due.task_id}/execute/")
    )
    coordinator.select_option("#id_outcome", "upheld")
    coordinator.fill("#id_reason", "经调阅案卷、听取本人和党支部意见，原决定事实清楚")
    screens.shot(coordinator, "task-appeal-review")
    _submit(coordinator)
    expect(coordinator.locator(".ll-messages")).to_contain_text("任务已办结")

    case.refresh_from_db()
    case.member.refresh_from_db()
    assert Appeal.objects.get(case=case).outcome == "upheld"
    assert case.status == CaseStatus.IN_FORCE and case.member.status == MemberStatus.SUSPENDED
    assert (case.clock_kind, case.clock_due) == (ClockKind.SUSPENSION, due_day)
    assert open_nodes(case) == ["restoration", "restoration__timeout"]
    reply = text_of(last_document(case, "appeal_reply"))
    assert "维持原决定" in reply and "原决定事实清楚" in reply
    coordinator.goto(screens.url(f"/cases/{case.pk}/"))
    expect(coordinator.locator('[data-outcome="upheld"]')).to_contain_text("维持原决定")
