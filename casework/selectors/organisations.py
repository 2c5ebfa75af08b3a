"""Reading the organisation tree within the user's scope."""

from __future__ import annotations

from django.db.models import QuerySet

from casework.access import REGISTER_ROLES, WRITE_ROLES, User, scope_q
from casework.errors import NotFound
from casework.models import Organisation


def organisation_list_for_user(*, user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(scope_q(user, "path", REGISTER_ROLES)).order_by("path")


def organisation_get_for_user(*, user: User, pk: int | str) -> Organisation:
    try:
        return organisation_list_for_user(user=user).get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("not found") from exc


def organisation_list_for_writer(*, user: User) -> QuerySet[Organisation]:
    """Organisations where the user may change the register (import, edit)."""
    return Organisation.objects.filter(scope_q(user, "path", WRITE_ROLES)).order_by("path")
