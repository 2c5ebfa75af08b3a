"""Reading cases within the user's scope, and the clocks the timer layer fires."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from casework.access import REGISTER_ROLES, User, scope_q
from casework.errors import NotFound
from casework.models import Case, CaseStatus, ClockKind, TimelineEntry


def case_list_for_user(*, user: User) -> QuerySet[Case]:
    return Case.objects.filter(scope_q(user, "organisation__path", REGISTER_ROLES)).select_related(
        "member", "organisation"
    )


def case_get_for_user(*, user: User, pk: int) -> Case:
    try:
        return case_list_for_user(user=user).get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("not found") from exc


def case_timeline(*, case: Case) -> QuerySet[TimelineEntry]:
    """The case's history in order (the caller already holds the case through a selector)."""
    return TimelineEntry.objects.filter(case_id=case.pk).order_by("at", "id")


def cases_with_due_clocks(*, as_of: dt.date) -> QuerySet[Case]:
    """Decisions in force whose clock (correction deadline, suspension limit) is due.

    The timer calls case_review_correction (creates the review task) or
    case_expire_suspension for each; uses the partial index case_clock_due.
    """
    return (
        Case.objects.filter(status=CaseStatus.IN_FORCE, clock_due__lte=as_of)
        .exclude(clock_kind=ClockKind.NONE)
        .order_by("clock_due", "id")
    )
