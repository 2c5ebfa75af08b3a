"""Reading cases within the user's scope: one case, its timeline, the filtered case list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from casework.access import REGISTER_ROLES, User, scope_q
from casework.errors import NotFound
from casework.models import (
    CLOSED_STATUSES,
    Case,
    Inquiry,
    InquiryStatus,
    Organisation,
    TimelineEntry,
)


def case_list_for_user(*, user: User) -> QuerySet[Case]:
    return Case.objects.filter(scope_q(user, "organisation__path", REGISTER_ROLES)).select_related(
        "member", "organisation"
    )


@dataclass(frozen=True)
class CaseFilter:
    """What a case list may be narrowed to (the case list page and the API use the same)."""

    status: str = ""  # one stage
    organisation_id: int | None = None  # the subtree of this organisation (in scope)
    member_id: int | None = None
    open: bool | None = None  # True: open cases only; False: closed only; None: both
    overdue: bool = False  # an inquiry past its deadline, or a clock past due
    opened_after: dt.date | None = None  # opened on or after this day
    opened_before: dt.date | None = None  # opened on or before this day


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def overdue_inquiry_q(today: dt.date | None = None) -> Q:
    """Cases with an inquiry past its deadline and still unanswered."""
    today = today or timezone.localdate()
    overdue = Inquiry.objects.filter(case_id=OuterRef("pk")).filter(
        Q(status__in=[InquiryStatus.OVERDUE, InquiryStatus.REMINDED])
        | Q(status=InquiryStatus.SENT, due_date__lt=today)
    )
    return Q(Exists(overdue))


def case_search_for_user(*, user: User, filters: CaseFilter) -> QuerySet[Case]:
    """The user's cases narrowed by `filters`, newest first. An organisation outside the
    user's scope matches nothing."""
    qs = case_list_for_user(user=user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.organisation_id is not None:
        path = (
            Organisation.objects.filter(scope_q(user, "path", REGISTER_ROLES))
            .filter(pk=filters.organisation_id)
            .values_list("path", flat=True)
            .first()
        )
        if path is None:
            return qs.none()
        qs = qs.filter(organisation__path__startswith=path)
    if filters.member_id is not None:
        qs = qs.filter(member_id=filters.member_id)
    if filters.open is True:
        qs = qs.exclude(status__in=CLOSED_STATUSES)
    elif filters.open is False:
        qs = qs.filter(status__in=CLOSED_STATUSES)
    if filters.overdue:
        today = timezone.localdate()
        qs = qs.filter(overdue_inquiry_q(today) | Q(clock_due__lt=today))
    if filters.opened_after is not None:
        qs = qs.filter(opened_at__gte=_day_start(filters.opened_after))
    if filters.opened_before is not None:
        qs = qs.filter(opened_at__lt=_day_start(filters.opened_before + dt.timedelta(days=1)))
    return qs.order_by("-opened_at", "-id")


def case_get_for_user(*, user: User, pk: int) -> Case:
    try:
        return case_list_for_user(user=user).get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("not found") from exc


def case_timeline(*, case: Case) -> QuerySet[TimelineEntry]:
    """The case's history in order (the caller already holds the case through a selector)."""
    return TimelineEntry.objects.filter(case_id=case.pk).order_by("at", "id")
