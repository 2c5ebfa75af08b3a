"""Rule sets by effective date (2016 notice / 2017 Fuzhou measures, 2019 and 2024 rules).

Every threshold the software applies comes from here. The rule set in force on a date is
chosen by effective date; single values can be overridden per deployment with the
LIANLUO_POLICY_OVERRIDES setting (a dict of field → value, applied to every rule set in
force for new work). Each case stores the code of the rule set it opened under and the
overrides in force then (`Case.rule_overrides`): `rules_of_case` reads those, so a case's
rules never change after it opened, whatever the deployment's overrides become.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class RuleSet:
    code: str
    title: str
    effective_from: dt.date
    lost_after_months: int = 6
    at_risk_after_months: int = 3
    correction_default_months: int = 6
    correction_max_months: int = 12
    suspension_limit_months: int = 24
    transfer_letter_valid_months: int = 3
    rejoin_bar_years: int = 5
    min_outreach_attempts: int = 3
    min_outreach_channels: int = 2
    outreach_requires_relative: bool = True
    defence_days: int = 7
    # a member who cannot be found is told by public notice (公告): its publication period
    public_notice_days: int = 30
    inquiry_answer_days: int = 10
    # Contact cadence in days per key-group bit (KeyGroup values); default for everyone else.
    contact_cadence_days: dict[int, int] = field(default_factory=dict)
    default_contact_cadence_days: int = 90
    # Key-group members are at risk sooner (months per KeyGroup bit; others at_risk_after_months).
    key_group_at_risk_months: dict[int, int] = field(default_factory=dict)
    # 三会一课: the longest gap, in months, between two meetings of each kind (MeetingKind value).
    org_life_cadence_months: dict[str, int] = field(default_factory=dict)
    # A member record not confirmed with the member for this long is stale (measure 1).
    info_confirm_months: int = 12
    # Mobile members (measure 8): a report every N months; a talk before leaving for ≥ N months.
    mobile_report_months: int = 6
    departure_talk_min_months: int = 6
    # 自行脱党 (《党章》第九条): reachable, yet this many consecutive months without good reason
    # without organisational life, or without dues → a self-withdrawal case
    self_withdrawal_months: int = 6
    # members settled or studying abroad longer than this → suspension (2019 rules)
    abroad_suspension_years: int = 5


_KEY_GROUP_CADENCE = {1: 30, 2: 60, 4: 30, 8: 60, 16: 30, 32: 60, 64: 60}
_KEY_GROUP_AT_RISK = {1: 2, 2: 2, 4: 2, 8: 2, 16: 2, 32: 2, 64: 2}
# committee meetings and group meetings monthly, member meetings and party lessons quarterly
_ORG_LIFE = {"branch_committee": 1, "branch_general": 3, "party_lecture": 3, "party_group": 1}

RULE_SETS: tuple[RuleSet, ...] = (
    RuleSet(
        code="2016",
        title="中共中央组织部关于做好与党组织失去联系党员规范管理和组织处置工作的通知",
        effective_from=dt.date(2016, 1, 1),
        correction_default_months=12,
        correction_max_months=12,
        rejoin_bar_years=0,
        contact_cadence_days=_KEY_GROUP_CADENCE,
        key_group_at_risk_months=_KEY_GROUP_AT_RISK,
        org_life_cadence_months=_ORG_LIFE,
    ),
    RuleSet(
        code="2019",
        title="中国共产党党员教育管理工作条例",
        effective_from=dt.date(2019, 5, 6),
        correction_default_months=12,
        correction_max_months=12,
        rejoin_bar_years=0,
        contact_cadence_days=_KEY_GROUP_CADENCE,
        key_group_at_risk_months=_KEY_GROUP_AT_RISK,
        org_life_cadence_months=_ORG_LIFE,
    ),
    RuleSet(
        code="2024",
        title="中国共产党不合格党员组织处置办法",
        # In force from its issue date: approved by the Politburo Standing Committee on
        # 2024-05-21, issued by the CPC Central Committee General Office and announced on
        # 2024-08-29 (the date printed on it; see DOMAIN.md). Cases opened before run under 2019.
        effective_from=dt.date(2024, 8, 29),
        correction_default_months=6,
        correction_max_months=12,
        rejoin_bar_years=5,
        contact_cadence_days=_KEY_GROUP_CADENCE,
        key_group_at_risk_months=_KEY_GROUP_AT_RISK,
        org_life_cadence_months=_ORG_LIFE,
    ),
)


def current_overrides() -> dict[str, Any]:
    overrides = getattr(settings, "LIANLUO_POLICY_OVERRIDES", None) or {}
    if not isinstance(overrides, dict):
        raise ImproperlyConfigured("LIANLUO_POLICY_OVERRIDES must be a dict of field -> value.")
    known = set(RuleSet.__dataclass_fields__) - {"code", "title", "effective_from"}
    unknown = set(overrides) - known
    if unknown:
        raise ImproperlyConfigured(f"Unknown policy overrides: {sorted(unknown)}")
    return overrides


def rules_for(day: dt.date) -> RuleSet:
    """The rule set in force on `day`, with configured overrides applied."""
    in_force = [rs for rs in RULE_SETS if rs.effective_from <= day]
    if not in_force:
        raise ValueError(f"no rule set in force on {day}")
    chosen = max(in_force, key=lambda rs: rs.effective_from)
    return replace(chosen, **current_overrides())


def rules_by_code(code: str, overrides: dict[str, Any] | None = None) -> RuleSet:
    """The rule set of that code with the given overrides (none: the rule set as published;
    the deployment's current overrides are never applied here)."""
    for rule_set in RULE_SETS:
        if rule_set.code == code:
            return replace(rule_set, **(overrides or {}))
    raise ValueError(f"unknown rule set {code!r}")


def rules_of_case(case: Any) -> RuleSet:
    """The rules a case opened under: its rule set's code and the overrides pinned then."""
    known = set(RuleSet.__dataclass_fields__) - {"code", "title", "effective_from"}
    pinned = getattr(case, "rule_overrides", None) or {}
    return rules_by_code(str(case.rule_set), {k: v for k, v in pinned.items() if k in known})


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic that clamps to the month's last day (31 Aug + 6 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def group_buckets(per_bit: dict[int, int], default: int) -> list[tuple[int, int]]:
    """Key-group values as (bit mask, value) pairs, smallest value first, then (0, default)
    for members in no listed group. A member in several groups takes the smallest value of
    its groups (the first bucket whose mask it matches): contact more often, warn sooner."""
    masks: dict[int, int] = {}
    for bit, value in per_bit.items():
        masks[value] = masks.get(value, 0) | int(bit)
    return [(masks[value], value) for value in sorted(masks)] + [(0, default)]


def value_for_groups(per_bit: dict[int, int], default: int, key_groups: int) -> int:
    """The value (cadence days, at-risk months) for a member with `key_groups` bits."""
    for mask, value in group_buckets(per_bit, default):
        if mask == 0 or key_groups & mask:
            return value
    return default
