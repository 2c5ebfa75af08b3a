"""Figures for the home page, counted in SQL within the user's scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from casework.access import User, scope_paths, scope_q
from casework.models import CLOSED_STATUSES, Case, Member, MemberStatus, Organisation


@dataclass(frozen=True)
class HomeFigures:
    organisations: int
    members: int
    members_normal: int
    open_cases: int
    scope_names: list[str]


def home_figures_for_user(*, user: User) -> HomeFigures:
    org_q = scope_q(user, "path")
    member_counts = Member.objects.filter(scope_q(user, "organisation__path")).aggregate(
        total=Count("id"), normal=Count("id", filter=Q(status=MemberStatus.NORMAL))
    )
    open_cases = (
        Case.objects.filter(scope_q(user, "organisation__path"))
        .exclude(status__in=CLOSED_STATUSES)
        .count()
    )
    paths = scope_paths(user)
    names = list(
        Organisation.objects.filter(path__in=paths).order_by("path").values_list("name", flat=True)
    )
    return HomeFigures(
        organisations=Organisation.objects.filter(org_q).count(),
        members=member_counts["total"],
        members_normal=member_counts["normal"],
        open_cases=open_cases,
        scope_names=names,
    )
