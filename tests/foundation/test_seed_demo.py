"""`manage.py seed_demo`: the register, and the story that leaves work in every demo user's
queue — driven through the flow (services and task forms), deterministic and idempotent."""

import io
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from casework.models import (
    AuditEvent,
    Case,
    CaseStatus,
    ClockKind,
    ContactAttempt,
    Decision,
    Inquiry,
    InquiryStatus,
    Member,
    MemberStatus,
    Organisation,
    OrgKind,
)
from casework.selectors.dashboard import dashboard_for_user
from casework.selectors.ledgers import at_risk_list_for_user
from casework.validation import validate_id_number
from documents.models import Document
from integrations.services.manual import print_queue_for_coordinator
from workflows import selectors
from workflows.devdata.story import CAST, LOST
from workflows.devdata.tour import tour
from workflows.models import TaskDue


@pytest.mark.django_db
def test_the_register_is_deterministic_valid_and_idempotent() -> None:
    out = io.StringIO()
    call_command("seed_demo", "--members", "60", "--no-story", stdout=out)
    assert "coordinator" in out.getvalue()
    assert "Lianluo@2026" in out.getvalue()
    members = Member.objects.count()
    orgs = Organisation.objects.count()
    assert members == 60
    assert Organisation.objects.filter(kind=OrgKind.BRANCH).count() == 10
    for member in Member.objects.all():
        assert validate_id_number(member.id_number) == member.id_number
    call_command("seed_demo", "--members", "60", "--no-story", stdout=io.StringIO())
    assert Member.objects.count() == members
    assert Organisation.objects.filter(kind=OrgKind.BRANCH).count() == 10
    assert Organisation.objects.count() == orgs


def _user(username: str):
    return get_user_model()._default_manager.get(username=username)


def _member(key: str) -> Member:
    return Member.objects.get(name=CAST[key].name, organisation__code="FZYZ-1")


def _case(key: str) -> Case:
    return Case.objects.filter(member=_member(key)).order_by("pk")[0]


def _names(rows) -> dict[str, str]:
    """member name → node of the queue rows."""
    return {row.case.member.name: row.node for row in rows}


@pytest.mark.django_db(transaction=True)
def test_the_story_leaves_work_in_every_demo_users_queue_and_is_idempotent() -> None:
    out = io.StringIO()
    started = time.monotonic()
    call_command("seed_demo", "--members", "60", stdout=out)
    elapsed = time.monotonic() - started
    print(f"seed_demo with the story: {elapsed:.1f} s")

    # officer1: an outreach in progress (claimed, two attempts) and one to claim
    officer = _user("officer1")
    inbox = _names(selectors.task_inbox_for_user(user=officer))
    assert inbox[CAST["progress"].name] == "outreach"
    assert ContactAttempt.objects.filter(case=_case("progress")).count() == 2
    group = _names(selectors.task_group_queue_for_user(user=officer))
    assert group[CAST["claim"].name] == "outreach"
    assert _case("claim").opened_by_id is None  # the sweep opened it
    # the coordinator: inquiries to request and sign, a letter to print and send
    coordinator = _user("coordinator")
    assert _names(selectors.task_group_queue_for_user(user=coordinator)) == {
        CAST["sign"].name: "request_inquiries"
    }
    (letter,) = print_queue_for_coordinator(user=coordinator)
    assert [i.case.member.name for i in letter.inquiries.all()] == [CAST["letter"].name]
    # the public-security liaison: an inquiry to answer
    waiting = Inquiry.objects.filter(
        department__kind="public_security", status=InquiryStatus.SENT
    ).select_related("case__member")
    assert [i.case.member.name for i in waiting] == [CAST["liaison"].name]
    # secretary1: a proposal to make and a meeting to record
    secretary = _names(selectors.task_group_queue_for_user(user=_user("secretary1")))
    assert secretary[CAST["propose"].name] == "propose"
    assert secretary[CAST["meeting"].name] == "meeting"
    # approver_edu: an approval waiting, proposed by someone else
    approvals = list(selectors.task_approval_queue_for_user(user=_user("approver_edu")))
    assert _names(approvals) == {CAST["approval"].name: "approval"}
    proposal = approvals[0].case.current_proposal
    assert proposal is not None and proposal.proposed_by == _user("secretary1")
    # a suspension in force with its clock, a correction in its review period
    suspended = _case("suspended")
    assert suspended.status == CaseStatus.IN_FORCE and suspended.clock_kind == ClockKind.SUSPENSION
    assert suspended.clock_due is not None and suspended.clock_due > timezone.localdate()
    assert suspended.member.status == MemberStatus.SUSPENDED
    assert TaskDue.objects.get(case=suspended, state="open").node == "restoration"
    correction = _case("correction")
    assert correction.status == CaseStatus.IN_FORCE
    assert correction.clock_kind == ClockKind.CORRECTION and correction.clock_due
    # a restored member
    restored = _case("restored")
    assert restored.status == CaseStatus.CLOSED and restored.member.status == MemberStatus.NORMAL
    assert list(
        Decision.objects.filter(case=restored).order_by("pk").values_list("kind", flat=True)
    ) == ["suspend", "restore"]
    # documents issued along the way, rendered
    kinds = set(Document.objects.filter(case=suspended).values_list("kind", flat=True))
    assert {"register_form", "approval_form", "decision_suspension", "reply"} <= kinds
    assert not Document.objects.filter(sha256="").exists()
    # an at-risk list, dashboard figures that are not all zero
    assert at_risk_list_for_user(user=officer, as_of=timezone.localdate()).filter(
        name=CAST["risk1"].name
    )
    board = dashboard_for_user(user=_user("inspector"))
    assert board.total.open_cases > 0 and board.total.members > 0
    # the tour under the logins
    text = out.getvalue()
    assert text.index("Demo logins") < text.index("The tour")
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for stop in tour({key: _member(key) for key in CAST}):
        assert stop.line() in text
        # the README opens with the same tour, one screenshot per stop
        assert f"**`{stop.username}`** — {stop.where}: {stop.what}." in readme
        assert f"docs/screenshots/{stop.shot}.png" in readme

    # idempotent: a second run opens nothing and completes nothing
    cases, events = Case.objects.count(), AuditEvent.objects.count()
    again = io.StringIO()
    call_command("seed_demo", "--members", "60", stdout=again)
    assert "0 cases opened by the lost-contact sweep, 0 steps completed" in again.getvalue()
    new = list(AuditEvent.objects.order_by("pk")[events:].values_list("action", "after"))
    assert Case.objects.count() == cases and not new
    assert len(LOST) == 12
