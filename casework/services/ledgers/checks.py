"""What every ledger write shares: the writer's role, dates not in the future, members of
the organisation, and contact moving forward by compare-and-set, never backwards."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from casework.access import WRITE_ROLES, has_role_over
from casework.errors import DomainError, PermissionDenied
from casework.models import (
    Member,
    Organisation,
)

Actor = AbstractBaseUser | None


def move_forward(member_ids: list[int], field: str, day: dt.date) -> int:
    """Compare-and-set: move `field` to `day` only where it is empty or earlier."""
    if not member_ids:
        return 0
    return (
        Member.objects.filter(pk__in=member_ids)
        .filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": day}))
        .update(**{field: day})
    )


def actor_id(actor: Actor) -> int | None:
    return actor.pk if actor is not None and actor.is_authenticated else None


def require_writer(actor: Actor, organisation: Organisation) -> None:
    """Actors must hold a writing role over the organisation; None is the system itself."""
    if actor is None:
        return
    if not has_role_over(actor, organisation, WRITE_ROLES):
        raise PermissionDenied(_("您无权管理该党组织的台账。"))


def not_in_future(day: dt.date, what: str | Promise) -> None:
    if day > timezone.localdate():
        raise DomainError(_("%(what)s不能晚于今天。") % {"what": what}, code="future_date")


def members_of(organisation: Organisation, member_ids: list[int]) -> None:
    found = Member.objects.filter(pk__in=member_ids, organisation=organisation).count()
    if found != len(set(member_ids)):
        raise DomainError(_("名单中有不属于本支部的党员。"), code="member_not_in_organisation")
