"""Reading the member register within the user's scope (liaisons never see it)."""

from __future__ import annotations

from django.db.models import QuerySet

from casework.access import REGISTER_ROLES, User, scope_q
from casework.errors import NotFound
from casework.models import Member


def member_list_for_user(*, user: User) -> QuerySet[Member]:
    """Members of the user's subtrees; callers add filters and ordering."""
    return Member.objects.filter(scope_q(user, "organisation__path", REGISTER_ROLES))


def member_get_for_user(*, user: User, pk: int) -> Member:
    """One member, or NotFound when it does not exist or lies outside the user's scope."""
    try:
        return member_list_for_user(user=user).select_related("organisation").get(pk=pk)
    except (Member.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("not found") from exc
