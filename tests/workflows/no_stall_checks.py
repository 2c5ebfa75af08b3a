"""Checks of the no-stall property test (tests/workflows/test_no_stall.py) that need more
than a line or two: kept here so the state machine stays readable."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from casework.models import Case, MeetingResolution, Proposal, RoleAssignment
from workflows.case.nodes import DEFENCE_GRACE_DAYS
from workflows.case.steps import Step
from workflows.models import TaskDue


def assert_defence_held_back(due: TaskDue) -> None:
    """A defence task due later than its step's days is due the day after the defence
    period ends, plus the grace days (a public notice makes the period 30 + 7 days)."""
    until = (
        Proposal.objects.filter(case_id=due.case_id)
        .order_by("-pk")
        .values_list("defence_until", flat=True)
        .first()
    )
    assert until is not None, due.case_id
    last_day = timezone.localtime(due.due_at).date() - dt.timedelta(days=1)
    assert last_day - until == dt.timedelta(days=DEFENCE_GRACE_DAYS)


def seat_users(step: Step, case: Case) -> list[Any]:
    """The users who may claim and do the step now: holders of its seat (role at the seat's
    organisation or above), without the proposer and the recorder on a four-eyes step."""
    seat = step.seat(case)
    ids = [int(p) for p in seat.organisation.path.strip("/").split("/") if p]
    users = set(
        RoleAssignment.objects.filter(
            role=seat.role, organisation_id__in=ids, is_active=True
        ).values_list("user_id", flat=True)
    )
    if step.four_eyes and case.current_proposal_id:
        users -= set(
            Proposal.objects.filter(pk=case.current_proposal_id).values_list(
                "proposed_by_id", flat=True
            )
        )
        users -= set(
            MeetingResolution.objects.filter(proposal_id=case.current_proposal_id).values_list(
                "recorded_by_id", flat=True
            )
        )
    return list(get_user_model()._default_manager.filter(pk__in=users).order_by("pk"))
