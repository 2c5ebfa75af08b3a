"""Reading prevention data (at-risk members, meetings, transfers) within the user's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import DateField, Exists, F, OuterRef, QuerySet
from django.db.models.functions import Coalesce, TruncDate

from casework.access import REGISTER_ROLES, User, scope_q
from casework.errors import NotFound
from casework.key_groups import at_risk_limits, seen_before_q
from casework.models import (
    CLOSED_STATUSES,
    Case,
    Meeting,
    Member,
    MemberStatus,
    RelationTransfer,
)
from casework.policy import rules_for


def at_risk_list_for_user(
    *,
    user: User,
    as_of: dt.date,
    key_group: int | None = None,
    longest_first: bool = True,
) -> QuerySet[Any]:
    """Normal members of the user's subtrees without contact for at least the at-risk period
    and without an open case, annotated with `last_seen`; sorted by days since contact."""
    rules = rules_for(as_of)
    members = (
        Member.objects.filter(scope_q(user, "organisation__path", REGISTER_ROLES))
        .filter(status=MemberStatus.NORMAL)
        .annotate(
            last_seen=Coalesce(
                "last_contact_date", "join_date", TruncDate("created_at"), output_field=DateField()
            )
        )
        .filter(seen_before_q(at_risk_limits(rules, as_of)))
        .exclude(
            Exists(
                Case.objects.filter(member_id=OuterRef("pk")).exclude(status__in=CLOSED_STATUSES)
            )
        )
        .select_related("organisation", "contact_officer")
    )
    if key_group:
        members = members.alias(in_group=F("key_groups").bitand(int(key_group))).filter(
            in_group__gt=0
        )
    order = ("last_seen", "id") if longest_first else ("-last_seen", "-id")
    return members.order_by(*order)


def meeting_list_for_user(*, user: User) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(scope_q(user, "organisation__path", REGISTER_ROLES))
        .select_related("organisation")
        .order_by("-held_on", "-id")
    )


def transfer_list_for_user(*, user: User) -> QuerySet[RelationTransfer]:
    return (
        RelationTransfer.objects.filter(scope_q(user, "from_organisation__path", REGISTER_ROLES))
        .select_related("member", "from_organisation", "to_organisation")
        .order_by("receipt_returned_on", "valid_until", "id")
    )


def transfer_get_for_user(*, user: User, pk: int) -> RelationTransfer:
    try:
        return transfer_list_for_user(user=user).get(pk=pk)
    except (RelationTransfer.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("not found") from exc
