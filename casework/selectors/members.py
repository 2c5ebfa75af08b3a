"""Reading the member register within the user's scope (liaisons never see it)."""

from __future__ import annotations

from django.db.models import QuerySet

from casework.access import REGISTER_ROLES, WRITE_ROLES, User, scope_q
from casework.errors import NotFound
from casework.models import ImportJob, Member, MemberChange


def member_list_for_user(*, user: User) -> QuerySet[Member]:
    """Members of the user's subtrees; callers add filters and ordering."""
    return Member.objects.filter(scope_q(user, "organisation__path", REGISTER_ROLES))


def member_get_for_user(*, user: User, pk: int) -> Member:
    """One member, or NotFound when it does not exist or lies outside the user's scope."""
    try:
        return member_list_for_user(user=user).select_related("organisation").get(pk=pk)
    except (Member.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("not found") from exc


def member_history_for_user(*, user: User, member: Member) -> QuerySet[MemberChange]:
    """The attributed edits of a member the user may already see (masked at write time)."""
    member_get_for_user(user=user, pk=member.pk)
    return MemberChange.objects.filter(member=member).select_related("actor").order_by("-at", "-id")


def import_job_list_for_user(*, user: User) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(
        scope_q(user, "organisation__path", WRITE_ROLES)
    ).select_related("organisation", "created_by")


def import_job_get_for_user(*, user: User, pk: int) -> ImportJob:
    try:
        return import_job_list_for_user(user=user).get(pk=pk)
    except (ImportJob.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("not found") from exc
