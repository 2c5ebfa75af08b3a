"""Checks of the no-stall property test (tests/workflows/test_no_stall.py) that need more
than a line or two: kept here so the state machine stays readable."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from casework.models import Proposal
from workflows.case.nodes import DEFENCE_GRACE_DAYS
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
