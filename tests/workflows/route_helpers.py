"""Shared steps of the route lifecycle tests (issue 16): acting users picked by the task's
seat, documents read as the text they print."""

from __future__ import annotations

import re
from typing import Any

from casework.models import Case
from casework.services import inquiries as inq
from documents.models import Document
from documents.render import render_html
from documents.services import issuer_of
from tests.casework.case_helpers import make_department
from tests.workflows.flow_helpers import (
    open_task,
    outreach_fails,
    seat_holder,
    step,
    today,
)
from workflows import services

MEETING_PASSES = {
    "decision": "record",
    "held_on": None,  # filled with today
    "voting_members": 9,
    "present": 7,
    "votes_for": 6,
    "votes_against": 1,
    "abstentions": 0,
    "place": "党员活动室",
}


def text_of(document: Document) -> str:
    """The text the document prints (its HTML rendered by the strict engine, tags removed)."""
    html = render_html(
        kind=document.kind,
        issuer=issuer_of(document.issuer),
        context=document.context,
        number=document.number or "",
        verify_code=document.verify_code,
        draft=False,
    )
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))


def last_document(case: Case, kind: str) -> Document:
    return Document.objects.filter(case=case, kind=kind).order_by("-id").first()  # type: ignore[return-value]


def kinds(case: Case) -> list[str]:
    return sorted(Document.objects.filter(case=case).values_list("kind", flat=True))


def act(case: Case, node: str, *exclude: Any, **data: Any) -> Case:
    """Complete the open `node` task as the user it is assigned to (who holds its seat: the
    flow checked when it created the task), else as a user picked by the task's seat."""
    due = open_task(case, node)
    user = due.owner if due.owner_id else seat_holder(due, exclude=exclude)
    return step(case, node, user, **data)


def not_located(world: Any, case: Case) -> Case:
    """Outreach fails, one department answers not found, the search is concluded."""
    case = outreach_fails(world, case)
    department = make_department(world.department)
    case = act(case, "request_inquiries", departments=[department.pk])
    (inquiry,) = case.inquiries.all()
    inquiry = inq.inquiry_mark_sent(inquiry=inquiry, actor=world.coordinator)
    inq.inquiry_record_answer(
        inquiry=inquiry, actor=None, answer="not_found", details={}, source="manual"
    )
    services.inquiry_wait_resume(case_id=case.pk)
    return act(case, "conclude_search", conclusion="not_located")


def to_approval(world: Any, case: Case, kind: str, grounds: list[str] | None = None) -> Case:
    """Proposal, every pre-review level, notice, defence and a meeting that passes."""
    case = act(case, "propose", kind=kind, grounds=grounds or [], reasons="经支委会研究")
    while is_open(case, "pre_review"):
        case = act(case, "pre_review", decision="agree")
    case = act(case, "notice", notified_on=today(), how="family")
    case = act(case, "defence", defence_text="无异议")
    return act(case, "meeting", **{**MEETING_PASSES, "held_on": today()})


def approver_for(case: Case, *exclude: Any) -> Any:
    """A holder of the approval seat who is neither the proposer nor the meeting's recorder."""
    return seat_holder(open_task(case, "approval"), exclude=exclude)


def approve(case: Case, world: Any, **data: Any) -> Case:
    """The approval task completed by a holder of its seat (not the proposer/recorder)."""
    return act(case, "approval", world.secretary, **data)


def is_open(case: Case, node: str) -> bool:
    from workflows.models import TaskDue

    return TaskDue.objects.filter(case=case, node=node, state__in=["open", "assigned"]).exists()
