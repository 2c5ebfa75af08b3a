"""Issue 16's routes through POST /api/v1/tasks/{id}/complete/ (the step's form as JSON, the
same step code as the task page), each task completed by a user picked by its seat (role at
an organisation): the committee's refusal and the refused restoration, the department's
pre-review of a removal, a failed vote, 劝而不退 then removal, 退党 filed without approval, a
lost member told by public notice, and the proposals the rules refuse (restoration without an
application, 退党 of a member never found)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from casework.models import (
    CaseStatus,
    ClockKind,
    Decision,
    MemberStatus,
    PreReview,
    Proposal,
    ProposalStatus,
)
from documents.models import IssuerProfile
from tests.workflows.flow_helpers import (
    locate_and_assess,
    open_case,
    open_nodes,
    open_task,
    seat_holder,
    today,
)
from tests.workflows.route_helpers import (
    MEETING_PASSES,
    act,
    approve,
    is_open,
    kinds,
    not_located,
    to_approval,
)
from workflows.models import TaskDue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pdf_render(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)


def _complete_by_seat(client_for: Any, due: TaskDue, *exclude: Any, **payload: Any) -> Any:
    due.refresh_from_db()
    user = due.owner if due.owner_id else seat_holder(due, exclude=exclude)
    client = client_for(user)
    if due.owner_id is None:
        assert client.post(f"/api/v1/tasks/{due.task_id}/claim/").status_code == 200
    payload.setdefault("step", due.node)
    payload = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in payload.items()}
    return client.post(f"/api/v1/tasks/{due.task_id}/complete/", payload, format="json")


def _api_step(client_for: Any, case: Any, node: str, *exclude: Any, **payload: Any) -> Any:
    """Complete the open `node` task over the API (it must succeed); the case as it is now."""
    response = _complete_by_seat(client_for, open_task(case, node), *exclude, **payload)
    assert response.status_code == 200, (node, response.json())
    case.refresh_from_db()
    return case


def _api_to_meeting(client_for: Any, world: Any, case: Any, kind: str, grounds: list[str]) -> Any:
    """Proposal, every pre-review level, notice and defence, all over the API."""
    case = _api_step(client_for, case, "propose", kind=kind, grounds=grounds, reasons="经研究")
    while is_open(case, "pre_review"):
        case = _api_step(client_for, case, "pre_review", decision="agree")
    case = _api_step(client_for, case, "notice", notified_on=today(), how="family")
    return _api_step(client_for, case, "defence", defence_text="无异议")


def test_the_committee_refuses_over_the_api_with_its_reason(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = to_approval(world, not_located(world, case), "suspend")
    due = open_task(case, "approval")
    no_reason = _complete_by_seat(
        client_for, due, world.secretary, decision="refuse", then="branch"
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"]["non_field_errors"] == ["不予批准须写明理由。"]
    lost = _complete_by_seat(
        client_for, due, world.secretary, decision="refuse", then="close", comment="理由"
    )
    assert lost.status_code == 422 and lost.json()["code"] == "refuse_close_not_located"
    wrong = client_for(world.officer).post(
        f"/api/v1/tasks/{due.task_id}/complete/",
        {"step": "approval", "decision": "refuse", "then": "branch", "comment": "理由"},
        format="json",
    )
    assert wrong.status_code == 409  # claimed by the approver: not the officer's task
    refused = _complete_by_seat(
        client_for, due, world.secretary, decision="refuse", then="branch", comment="查找不充分"
    )
    assert refused.status_code == 200, refused.json()
    assert refused.json()["case_status"] == CaseStatus.PROPOSAL
    case.refresh_from_db()
    assert open_nodes(case) == ["propose"] and case.member.status == MemberStatus.NORMAL


def test_a_restoration_refused_over_the_api_keeps_the_suspension_and_its_timer(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = approve(to_approval(world, not_located(world, case), "suspend"), world, decision="agree")
    due_day = case.clock_due
    case = act(case, "restoration", applied_on=today(), application="本人申请恢复党籍")
    case = act(case, "propose", kind="restore", reasons="考察")
    case = act(case, "pre_review", decision="agree")
    due = open_task(case, "approval")
    assert due.role == "coordinator"
    refused = _complete_by_seat(client_for, due, decision="refuse", comment="不符合恢复条件")
    assert refused.status_code == 200, refused.json()
    assert refused.json()["case_status"] == CaseStatus.IN_FORCE
    case.refresh_from_db()
    assert (case.clock_kind, case.clock_due) == (ClockKind.SUSPENSION, due_day)
    assert case.member.status == MemberStatus.SUSPENDED
    assert open_nodes(case) == ["restoration", "restoration__timeout"]


def test_service_persuasion_and_public_notice_steps_complete_over_the_api(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    """The new steps take their payload as JSON like every other step (the schema comes
    from their forms): a lost member's notice refused 'in person', 劝退 then 劝而不退."""
    from casework.models import CaseStatus, ProposalKind
    from tests.workflows.flow_helpers import locate_and_assess

    lost = open_case(world, django_capture_on_commit_callbacks)
    lost = act(not_located(world, lost), "propose", kind="suspend", reasons="研究")
    lost = act(lost, "pre_review", decision="agree")
    notice = open_task(lost, "notice")
    in_person = _complete_by_seat(client_for, notice, notified_on=str(today()), how="in_person")
    assert in_person.status_code == 422 and in_person.json()["code"] == "member_not_located"
    by_post = _complete_by_seat(client_for, notice, notified_on=str(today()), how="post")
    assert by_post.status_code == 200, by_post.json()

    case = locate_and_assess(world, open_case(world, django_capture_on_commit_callbacks), "unfit")
    case = approve(to_approval(world, case, "persuade", ["weak_purpose"]), world, decision="agree")
    due = open_task(case, "persuasion_outcome")
    no_notes = _complete_by_seat(client_for, due, withdrew="0", on=str(today()))
    assert no_notes.status_code == 400 and "notes" in no_notes.json()["errors"]
    refused = _complete_by_seat(
        client_for, due, withdrew="0", on=str(today()), notes="经劝告仍坚持不退党"
    )
    assert refused.status_code == 200, refused.json()
    assert refused.json()["case_status"] == CaseStatus.PROPOSAL
    case.refresh_from_db()
    assert case.suggested_kinds == [ProposalKind.REMOVE] and open_nodes(case) == ["propose"]


def test_the_decision_is_served_over_the_api(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    from tests.workflows.flow_helpers import locate_and_assess

    case = locate_and_assess(world, open_case(world, django_capture_on_commit_callbacks))
    case = approve(to_approval(world, case, "correction", ["slack_work"]), world, decision="agree")
    due = open_task(case, "serve_decision")
    bad = _complete_by_seat(client_for, due, served_on="2026-02-30", how="in_person")
    assert bad.status_code == 400 and "served_on" in bad.json()["errors"]
    served = _complete_by_seat(client_for, due, served_on=str(today()), how="in_person")
    assert served.status_code == 200, served.json()
    case.refresh_from_db()
    assert case.clock_due is not None and open_nodes(case) == ["correction_wait"]


def test_the_department_pre_reviews_a_removal_over_the_api(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    """劝退/除名: the committee pre-reviews, then the organisation department — its task is
    offered to the department's coordinator, not to whoever did the last one."""
    case = locate_and_assess(world, open_case(world, django_capture_on_commit_callbacks), "unfit")
    case = _api_step(
        client_for, case, "propose", kind="remove", grounds=["weak_purpose"], reasons="经研究"
    )
    first = open_task(case, "pre_review")
    assert (first.role, first.role_organisation_id) == ("committee_approver", world.committee.pk)
    case = _api_step(client_for, case, "pre_review", decision="agree")
    assert case.status == CaseStatus.PRE_REVIEW
    second = open_task(case, "pre_review")
    assert (second.role, second.role_organisation_id) == ("coordinator", world.department.pk)
    assert second.owner_id is None  # in the department's queue, not with the committee
    queue = client_for(world.coordinator).get("/api/v1/tasks/queue/").json()["results"]
    assert second.task_id in [row["task_id"] for row in queue]
    committee_queue = client_for(world.approver).get("/api/v1/tasks/queue/").json()["results"]
    assert second.task_id not in [row["task_id"] for row in committee_queue]
    # the committee's approver may not claim the department's level
    wrong = client_for(world.approver).post(f"/api/v1/tasks/{second.task_id}/claim/")
    assert wrong.status_code in (403, 404, 409), wrong.json()
    done = _complete_by_seat(client_for, second, decision="agree", comment="同意")
    assert done.status_code == 200, done.json()
    assert done.json()["case_status"] == CaseStatus.DEFENCE
    second.refresh_from_db()
    assert second.owner_id == world.coordinator.pk
    levels = PreReview.objects.filter(proposal__case=case).order_by("pk")
    assert [(r.level, r.reviewer_id) for r in levels] == [
        ("committee", world.approver.pk),
        ("department", world.coordinator.pk),
    ]
    case.refresh_from_db()
    assert open_nodes(case) == ["notice"]


def test_a_failed_vote_over_the_api_sends_the_case_back_without_a_decision(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    case = not_located(world, open_case(world, django_capture_on_commit_callbacks))
    case = _api_to_meeting(client_for, world, case, "suspend", [])
    failed = {**MEETING_PASSES, "held_on": today(), "votes_for": 4, "votes_against": 3}
    no_quorum = _complete_by_seat(
        client_for,
        open_task(case, "meeting"),
        **{**failed, "present": 4, "votes_for": 2, "votes_against": 2},
    )
    assert no_quorum.status_code == 422 and no_quorum.json()["code"] == "no_quorum"
    response = _complete_by_seat(client_for, open_task(case, "meeting"), **failed)
    assert response.status_code == 200, response.json()
    assert response.json()["case_status"] == CaseStatus.PROPOSAL
    case.refresh_from_db()
    assert open_nodes(case) == ["propose"]
    assert Proposal.objects.get(case=case).status == ProposalStatus.REJECTED
    assert not Decision.objects.filter(case=case).exists()
    assert case.member.status == MemberStatus.NORMAL
    assert "request" not in kinds(case)  # no 请示 for a proposal that failed
    # the branch may propose again and the new proposal goes its whole way
    case = _api_to_meeting(client_for, world, case, "suspend", [])
    case = _api_step(client_for, case, "meeting", **{**MEETING_PASSES, "held_on": today()})
    assert case.status == CaseStatus.APPROVAL


def test_persuaded_but_refusing_then_removed_over_the_api(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    case = locate_and_assess(world, open_case(world, django_capture_on_commit_callbacks), "unfit")
    case = approve(to_approval(world, case, "persuade", ["weak_purpose"]), world, decision="agree")
    assert case.member.status == MemberStatus.PERSUADED_OUT
    case = _api_step(
        client_for, case, "persuasion_outcome", withdrew="0", on=today(), notes="仍坚持不退党"
    )
    assert case.status == CaseStatus.PROPOSAL
    correction = _complete_by_seat(
        client_for,
        open_task(case, "propose"),
        kind="correction",
        grounds=["slack_work"],
        reasons="研究",
    )
    assert correction.status_code == 422  # only removal may follow 劝而不退
    case = _api_to_meeting(client_for, world, case, "remove", ["weak_purpose"])
    case = _api_step(client_for, case, "meeting", **{**MEETING_PASSES, "held_on": today()})
    case = _api_step(client_for, case, "approval", world.secretary, decision="agree")
    case.member.refresh_from_db()
    assert case.member.status == MemberStatus.REMOVED
    assert "decision_removal_persuaded" in kinds(case)
    assert open_nodes(case) == ["close"]
    case = _api_step(client_for, case, "close", comment="归档")
    assert case.status == CaseStatus.CLOSED and case.outcome == "remove"


def test_withdrawal_at_the_members_request_is_filed_over_the_api_without_approval(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    case = locate_and_assess(
        world, open_case(world, django_capture_on_commit_callbacks), "asks_to_leave"
    )
    case = _api_step(client_for, case, "propose", kind="withdrawal", reasons="本人书面要求退党")
    assert case.status == CaseStatus.MEETING and open_nodes(case) == ["meeting"]
    case = _api_step(client_for, case, "meeting", **{**MEETING_PASSES, "held_on": today()})
    assert case.status == CaseStatus.IN_FORCE and open_nodes(case) == ["close"]
    case.member.refresh_from_db()
    assert case.member.status == MemberStatus.WITHDREW
    assert not TaskDue.objects.filter(case=case, node__in=["pre_review", "notice", "approval"])
    assert "filing_report" in kinds(case) and "request" not in kinds(case)
    case = _api_step(client_for, case, "close", comment="归档")
    assert case.status == CaseStatus.CLOSED and case.outcome == "withdrawal"


def test_a_lost_member_is_told_by_public_notice_over_the_api_and_the_defence_waits(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    # the notice prints the branch's contact and the date contact was lost
    IssuerProfile.objects.update_or_create(
        organisation=world.branch,
        defaults={"contact_person": "林晓东", "contact_phone": "0591-87654321"},
    )
    lost_since = today() - dt.timedelta(days=200)
    case = open_case(world, django_capture_on_commit_callbacks, last_contact_date=lost_since)
    case = not_located(world, case)
    case = _api_step(client_for, case, "propose", kind="suspend", reasons="经研究")
    case = _api_step(client_for, case, "pre_review", decision="agree")
    case = _api_step(client_for, case, "notice", notified_on=today(), how="public_notice")
    assert case.status == CaseStatus.DEFENCE and open_nodes(case) == ["defence"]
    proposal = Proposal.objects.get(case=case)
    assert proposal.notice_published_on == today()
    assert proposal.defence_until == today() + dt.timedelta(days=37)
    assert "public_notice" in kinds(case)
    # the defence task is due no sooner than five days after the defence period ends
    due = open_task(case, "defence")
    assert timezone.localtime(due.due_at).date() >= proposal.defence_until + dt.timedelta(days=5)
    early = _complete_by_seat(client_for, due, defence_text="")
    assert early.status_code == 422 and early.json()["code"] == "defence_period_running"


def test_a_short_defence_period_keeps_the_defence_steps_own_due_days(
    world, django_capture_on_commit_callbacks
) -> None:
    case = locate_and_assess(world, open_case(world, django_capture_on_commit_callbacks))
    case = act(case, "propose", kind="correction", grounds=["slack_work"], reasons="研究")
    case = act(case, "pre_review", decision="agree")
    notified = today() - dt.timedelta(days=20)
    case = act(case, "notice", notified_on=notified, how="in_person")
    until = Proposal.objects.get(case=case).defence_until
    assert until is not None
    due = open_task(case, "defence")
    last_day = timezone.localtime(due.due_at).date() - dt.timedelta(days=1)
    assert last_day >= until + dt.timedelta(days=5)
    # a short period: the step's own 20 days are later and stand
    assert due.due_at - due.created_at >= dt.timedelta(days=20) - dt.timedelta(minutes=1)


def test_restoration_without_an_application_and_withdrawal_of_a_lost_member_are_refused(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    """A refused suspension leaves any kind open to the branch: 恢复党籍 still needs the
    member's application (its documents cite it), 退党 the member's own request."""
    case = open_case(world, django_capture_on_commit_callbacks)
    case = to_approval(world, not_located(world, case), "suspend")
    case = _api_step(
        client_for,
        case,
        "approval",
        world.secretary,
        decision="refuse",
        then="branch",
        comment="查找不充分",
    )
    assert case.status == CaseStatus.PROPOSAL and case.suggested_kinds == []
    proposals = Proposal.objects.filter(case=case).count()
    due = open_task(case, "propose")
    restore = _complete_by_seat(client_for, due, kind="restore", reasons="恢复")
    assert restore.status_code == 422 and restore.json()["code"] == "restoration_not_applied"
    withdraw = _complete_by_seat(client_for, due, kind="withdrawal", reasons="退党")
    assert withdraw.status_code == 422 and withdraw.json()["code"] == "member_not_located"
    case.refresh_from_db()
    assert case.status == CaseStatus.PROPOSAL and open_nodes(case) == ["propose"]
    assert Proposal.objects.filter(case=case).count() == proposals
