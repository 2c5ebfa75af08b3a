"""How the seven key groups (measure 5) change a member's thresholds, as ORM filters and SQL.

A rule set gives values per key-group bit (`contact_cadence_days`, `key_group_at_risk_months`)
and a default for members in no listed group; a member in several groups takes the smallest
value (contact more often, warn sooner). `policy.group_buckets` orders them, smallest first.

Every filter here is an OR over the buckets: "in a group of bucket i and last seen on or before
its limit", plus "in no listed group and last seen on or before the default limit". Because the
smallest value has the latest limit date, the OR picks exactly the member's own threshold.
"""

# SQL below is made of column names given by the caller and "%s" placeholders only.

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q
from django.db.models.lookups import Exact, GreaterThan

from casework.policy import RuleSet, add_months, group_buckets, value_for_groups


def at_risk_limits(rules: RuleSet, as_of: dt.date) -> list[tuple[int, dt.date]]:
    """(mask, last-seen limit) per bucket of the at-risk threshold; mask 0 = no listed group."""
    buckets = group_buckets(rules.key_group_at_risk_months, rules.at_risk_after_months)
    return [(mask, add_months(as_of, -months)) for mask, months in buckets]


def cadence_limits(rules: RuleSet, as_of: dt.date) -> list[tuple[int, dt.date]]:
    """(mask, last-seen limit) per bucket of the contact cadence: seen on or before the limit
    means the next contact is due (or overdue) on `as_of`."""
    buckets = group_buckets(rules.contact_cadence_days, rules.default_contact_cadence_days)
    return [(mask, as_of - dt.timedelta(days=days)) for mask, days in buckets]


def cadence_days(rules: RuleSet, key_groups: int) -> int:
    return value_for_groups(
        rules.contact_cadence_days, rules.default_contact_cadence_days, key_groups
    )


def at_risk_months(rules: RuleSet, key_groups: int) -> int:
    return value_for_groups(rules.key_group_at_risk_months, rules.at_risk_after_months, key_groups)


def _all_masks(limits: list[tuple[int, dt.date]]) -> int:
    combined = 0
    for mask, _limit in limits:
        combined |= mask
    return combined


def seen_before_q(
    limits: list[tuple[int, dt.date]], *, field: str = "last_seen", groups: str = "key_groups"
) -> Q:
    """Members whose `field` lies on or before their own bucket's limit."""
    every = _all_masks(limits)
    q: Q | None = None
    for mask, limit in limits:
        if mask:
            in_bucket: Any = GreaterThan(F(groups).bitand(mask), 0)
        else:
            in_bucket = Exact(F(groups).bitand(every), 0)
        part = Q(in_bucket, **{f"{field}__lte": limit})
        q = part if q is None else q | part
    assert q is not None  # group_buckets always ends with the default bucket
    return q


def seen_before_sql(
    limits: list[tuple[int, dt.date]], *, column: str, groups: str, adapt: Any
) -> tuple[str, list[Any]]:
    """The same test as SQL over `column` (a date) and `groups` (the bitmask): a boolean
    expression and its parameters; `adapt` turns a date into a database parameter."""
    every = _all_masks(limits)
    parts: list[str] = []
    params: list[Any] = []
    for mask, limit in limits:
        if mask:
            parts.append(f"(({groups} & %s) <> 0 AND {column} <= %s)")
            params += [mask, adapt(limit)]
        else:
            parts.append(f"(({groups} & %s) = 0 AND {column} <= %s)")
            params += [every, adapt(limit)]
    return "(" + " OR ".join(parts) + ")", params
