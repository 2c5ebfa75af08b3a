"""The bar on rejoining the party after 劝退 or 除名 (2024 rules: five years).

The number of years is read from the rule set of the case that decided (`rejoin_bar_years`;
0 in the 2016 and 2019 rule sets: no bar), counted from the day the decision came into force.
While it runs, the person cannot be registered again as a member: a new record with their ID
number, an edit or an import row that gives their record back an active 党籍 status are
refused (`rejoin_barred`). Reads only; the services that write call `check_rejoin`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.errors import Conflict
from casework.models import Decision, Member, MemberStatus, ProposalKind
from casework.policy import add_months, rules_of_case

# 党籍 statuses a barring decision leaves, and the decision kind that leaves each
BARRING_STATUSES = {
    MemberStatus.REMOVED: ProposalKind.REMOVE,
    MemberStatus.PERSUADED_OUT: ProposalKind.PERSUADE,
}
# statuses that make the person a member again
ACTIVE_STATUSES = (MemberStatus.NORMAL, MemberStatus.SUSPENDED)


@dataclass(frozen=True)
class RejoinBar:
    member_id: int
    kind: str  # the decision's kind (remove / persuade)
    decided_on: dt.date  # the day the decision came into force
    years: int
    until: dt.date  # the first day the person may rejoin
    rule_set_title: str

    @property
    def label(self) -> str:
        return str(ProposalKind(self.kind).label)


def rejoin_bar(member: Member, today: dt.date | None = None) -> RejoinBar | None:
    """The bar running against `member` on `today` (default: today), or None."""
    kind = BARRING_STATUSES.get(member.status)  # type: ignore[call-overload]
    if kind is None:
        return None
    decision = (
        Decision.objects.filter(member_id=member.pk, kind__in=BARRING_STATUSES.values())
        .select_related("case")
        .order_by("-in_force_at", "-pk")
        .first()
    )
    if decision is None:
        return None  # a status recorded without a decision here: no date to count from
    rules = rules_of_case(decision.case)
    years = rules.rejoin_bar_years
    if not years:
        return None
    decided_on = timezone.localtime(decision.in_force_at).date()
    until = add_months(decided_on, 12 * years)
    if (today or timezone.localdate()) >= until:
        return None
    return RejoinBar(
        member_id=member.pk,
        kind=decision.kind,
        decided_on=decided_on,
        years=years,
        until=until,
        rule_set_title=rules.title,
    )


def rejoin_message(bar: RejoinBar) -> str:
    return str(
        _(
            "该人员已于%(day)s被%(kind)s，根据《%(rules)s》的规定，%(years)s年内"
            "（%(until)s前）不得重新入党，不能登记为党员。"
        )
        % {
            "day": f"{bar.decided_on:%Y年%m月%d日}",
            "kind": bar.label,
            "rules": bar.rule_set_title,
            "years": bar.years,
            "until": f"{bar.until:%Y年%m月%d日}",
        }
    )


def check_rejoin(member: Member, new_status: str | None, today: dt.date | None = None) -> None:
    """Refuse (Conflict `rejoin_barred`) giving `member`'s record the status `new_status`
    (None: registering the same person again) while a bar runs against them."""
    if new_status is not None and new_status not in ACTIVE_STATUSES:
        return
    bar = rejoin_bar(member, today)
    if bar is not None:
        raise Conflict(rejoin_message(bar), code="rejoin_barred")
