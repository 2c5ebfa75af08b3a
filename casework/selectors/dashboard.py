"""Assessment figures (measure 9): per organisation and rolled up the tree.

The dashboard looks at one organisation (the focus) and its direct children. Every figure is
first counted in SQL per organisation path (GROUP BY the organisation the rows sit at,
restricted to the focus's subtree by a path prefix), then rolled up in Python: a path
`/1/7/42/` under the focus `/1/` belongs to the focus and to the child `7` (paths are made of
ids). At most a few thousand organisation rows reach Python, never a member or case row.

Two sources of the per-organisation figures, the same shape:
- live (exact): six grouped queries on members, cases, decisions, inquiries and transfers,
  and five for the prevention figures (casework/selectors/dashboard_prevention.py);
- the nightly rollup (`DashboardRollup`, written by
  `casework.services.dashboard.dashboard_rollup_refresh`): one query. Used for today's
  dashboard when a rollup of today or yesterday exists; the page then says "as of
  <computed_at>" (`Dashboard.computed_at`). With a million members the live member count
  alone takes ~0.3 s, the rollup a few ms.
"""

# SQL below is assembled only from model table names and "%s" placeholders; values are
# always passed as parameters.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from casework.access import REGISTER_ROLES, User, scope_paths
from casework.errors import NotFound
from casework.key_groups import at_risk_limits, seen_before_sql
from casework.models import (
    Case,
    CaseStatus,
    DashboardRollup,
    Decision,
    Inquiry,
    InquiryStatus,
    Member,
    MemberStatus,
    Organisation,
    ProposalKind,
    RelationTransfer,
)
from casework.policy import add_months, rules_for

PERIODS = (30, 90, 365)
OPEN_STAGES = [s for s in CaseStatus if s not in (CaseStatus.CLOSED, CaseStatus.WITHDRAWN)]
_UNANSWERED = (InquiryStatus.SENT, InquiryStatus.OVERDUE, InquiryStatus.REMINDED)


def _share(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass
class Figures:
    """One dashboard row: an organisation with everything below it."""

    organisation: Organisation
    is_focus: bool = False
    members: int = 0
    at_risk: int = 0
    open_cases: int = 0
    open_cases_prev: int = 0
    opened: int = 0
    opened_prev: int = 0
    by_stage: dict[str, int] = field(default_factory=dict)
    located: int = 0
    located_prev: int = 0
    suspended: int = 0
    suspended_prev: int = 0
    median_days_to_locate: float | None = None
    median_days_to_locate_prev: float | None = None
    overdue_inquiries: int = 0
    overdue_tasks: int | None = None
    unreturned_receipts: int = 0
    located_days: list[float] = field(default_factory=list, repr=False)
    located_days_prev: list[float] = field(default_factory=list, repr=False)
    # prevention (measures 1, 3, 5, 7; casework/selectors/dashboard_prevention.py)
    contact_overdue: int = 0
    key_group_members: int = 0
    by_key_group: dict[str, int] = field(default_factory=dict)  # "risk:<bit>", "open:<bit>"
    receipts_overdue: int = 0
    branches: int = 0
    org_life_ok: int = 0
    org_life_ok_prev: int = 0
    org_life_by_kind: dict[str, int] = field(default_factory=dict)  # kind → branches on time
    dq_incomplete: int = 0
    dq_no_id_number: int = 0
    dq_no_phone: int = 0
    dq_no_residence: int = 0
    dq_no_occupation: int = 0
    dq_no_relative_contact: int = 0
    dq_no_officer: int = 0
    dq_unconfirmed: int = 0
    dq_duplicates: int = 0

    @property
    def contact_duty_rate(self) -> float | None:
        """Members contacted within their cadence ÷ members, per cent."""
        return _share(self.members - self.contact_overdue, self.members)

    @property
    def data_quality_rate(self) -> float | None:
        """Members with a complete record ÷ members, per cent."""
        return _share(self.members - self.dq_incomplete, self.members)

    @property
    def org_life_rate(self) -> float | None:
        """Branches holding 三会一课 on schedule ÷ branches, per cent."""
        return _share(self.org_life_ok, self.branches)

    @property
    def org_life_rate_prev(self) -> float | None:
        return _share(self.org_life_ok_prev, self.branches)

    @property
    def lost_contact_rate(self) -> float | None:
        """Open cases ÷ members, in per cent (None without members)."""
        return round(100.0 * self.open_cases / self.members, 2) if self.members else None

    @property
    def lost_contact_rate_prev(self) -> float | None:
        return round(100.0 * self.open_cases_prev / self.members, 2) if self.members else None

    @property
    def located_share(self) -> float | None:
        """Located ÷ (located + suspended) in the period, per cent."""
        total = self.located + self.suspended
        return round(100.0 * self.located / total, 1) if total else None


@dataclass
class Dashboard:
    focus: Organisation
    rows: list[Figures]  # focus first, then its children by path
    period_days: int
    period_start: dt.date
    previous_start: dt.date
    as_of: dt.date
    at_risk_from: dt.date
    at_risk_until: dt.date
    roots: list[Organisation]
    breadcrumbs: list[Organisation]
    # set when the figures come from the nightly rollup: "as of" this moment
    computed_at: dt.datetime | None = None

    @property
    def total(self) -> Figures:
        return self.rows[0]

    @property
    def children(self) -> list[Figures]:
        return self.rows[1:]

    def stages(self) -> list[tuple[str, str]]:
        return [(s.value, str(s.label)) for s in OPEN_STAGES]


# ---- SQL building blocks -----------------------------------------------------------------


def subtree_join(table_alias: str, column: str, path: str) -> tuple[str, list[Any]]:
    """`JOIN organisation o ... WHERE o.path LIKE <path>%`: rows of `table_alias` whose
    organisation (`column`) is in the subtree; select and GROUP BY `o.path`."""
    org = Organisation._meta.db_table
    return (
        f"JOIN {org} o ON o.id = {table_alias}.{column} WHERE o.path LIKE %s",
        [path + "%"],
    )


def _date(value: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _datetime(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _days_between(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"
    return f"(julianday({later}) - julianday({earlier}))"


def run_grouped(sql: str, params: Iterable[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class Window:
    """The dates a dashboard (or a rollup) is computed for."""

    today: dt.date
    period_days: int

    @property
    def start_day(self) -> dt.date:
        return self.today - dt.timedelta(days=self.period_days - 1)

    @property
    def prev_day(self) -> dt.date:
        return self.start_day - dt.timedelta(days=self.period_days)

    @property
    def start(self) -> dt.datetime:
        return _start_of(self.start_day)

    @property
    def prev_start(self) -> dt.datetime:
        return _start_of(self.prev_day)

    @property
    def end(self) -> dt.datetime:
        return _start_of(self.today + dt.timedelta(days=1))

    @property
    def risk_until(self) -> dt.date:
        return add_months(self.today, -rules_for(self.today).at_risk_after_months)

    @property
    def risk_from(self) -> dt.date:
        return add_months(self.today, -rules_for(self.today).lost_after_months)


# The per-organisation figures that add up the tree (names shared by Figures and the rollup).
SUMMED = (
    "members",
    "at_risk",
    "open_cases_prev",
    "opened",
    "opened_prev",
    "located",
    "located_prev",
    "suspended",
    "suspended_prev",
    "overdue_inquiries",
    "unreturned_receipts",
    "contact_overdue",
    "key_group_members",
    "receipts_overdue",
    "branches",
    "org_life_ok",
    "org_life_ok_prev",
    "dq_incomplete",
    "dq_no_id_number",
    "dq_no_phone",
    "dq_no_residence",
    "dq_no_occupation",
    "dq_no_relative_contact",
    "dq_no_officer",
    "dq_unconfirmed",
    "dq_duplicates",
)
# Figures that are dicts of counts (added up key by key).
SUMMED_DICTS = ("by_stage", "by_key_group", "org_life_by_kind")
# What the nightly rollup stores per organisation (its subtree's figures).
ROLLUP_FIELDS = (*SUMMED, *SUMMED_DICTS, "median_days_to_locate", "median_days_to_locate_prev")

PerOrg = dict[str, dict[str, Any]]  # organisation path → {figure: value}


def _slot(result: PerOrg, path: str) -> dict[str, Any]:
    if path not in result:
        result[path] = {
            **dict.fromkeys(SUMMED, 0),
            **{name: {} for name in SUMMED_DICTS},
            "located_days": [],
            "located_days_prev": [],
        }
    return result[path]


# ---- the figures, per organisation path ------------------------------------------------------


def _member_counts(result: PerOrg, path: str, w: Window) -> None:
    join, params = subtree_join("m", "organisation_id", path)
    # at risk: not lost yet, past the member's own threshold (key groups sooner)
    risky, risky_params = seen_before_sql(
        at_risk_limits(rules_for(w.today), w.today),
        column="m.last_contact_date",
        groups="m.key_groups",
        adapt=_date,
    )
    sql = (
        "SELECT o.path, COUNT(*), "
        f"SUM(CASE WHEN m.last_contact_date > %s AND {risky} THEN 1 ELSE 0 END) "
        f"FROM {Member._meta.db_table} m {join} AND m.status = %s GROUP BY o.path"
    )
    values = [_date(w.risk_from), *risky_params, *params, MemberStatus.NORMAL]
    for org_path, members, at_risk in run_grouped(sql, values):
        slot = _slot(result, org_path)
        slot["members"], slot["at_risk"] = int(members), int(at_risk or 0)


def _case_counts(result: PerOrg, path: str, w: Window) -> None:
    """Open cases by stage, open at the previous period's end, opened and located (this and
    the previous period): one pass over the subtree's cases."""
    join, params = subtree_join("c", "organisation_id", path)
    stages = ", ".join(["SUM(CASE WHEN c.status = %s THEN 1 ELSE 0 END)"] * len(OPEN_STAGES))
    sql = (
        f"SELECT o.path, {stages}, "
        "SUM(CASE WHEN c.opened_at < %s AND (c.closed_at IS NULL OR c.closed_at >= %s) "
        "AND NOT (c.status IN (%s, %s) AND c.closed_at IS NULL) THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.opened_at >= %s AND c.opened_at < %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.opened_at >= %s AND c.opened_at < %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.located_at >= %s AND c.located_at < %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.located_at >= %s AND c.located_at < %s THEN 1 ELSE 0 END) "
        f"FROM {Case._meta.db_table} c {join} AND c.opened_at < %s GROUP BY o.path"
    )
    s, p, e = _datetime(w.start), _datetime(w.prev_start), _datetime(w.end)
    closed = (CaseStatus.CLOSED.value, CaseStatus.WITHDRAWN.value)
    values = [
        *[stage.value for stage in OPEN_STAGES],
        *(s, s, *closed, s, e, p, s, s, e, p, s),
        *params,
        e,
    ]
    n = len(OPEN_STAGES)
    names = ("open_cases_prev", "opened", "opened_prev", "located", "located_prev")
    for row in run_grouped(sql, values):
        slot = _slot(result, row[0])
        counts = [int(v or 0) for v in row[1:]]
        slot["by_stage"] = {
            stage.value: count
            for stage, count in zip(OPEN_STAGES, counts[:n], strict=True)
            if count
        }
        slot.update(zip(names, counts[n:], strict=True))


def _suspensions(result: PerOrg, path: str, w: Window) -> None:
    join, params = subtree_join("c", "organisation_id", path)
    sql = (
        "SELECT o.path, "
        "SUM(CASE WHEN d.in_force_at >= %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN d.in_force_at < %s THEN 1 ELSE 0 END) "
        f"FROM {Decision._meta.db_table} d JOIN {Case._meta.db_table} c ON c.id = d.case_id "
        f"{join} AND d.kind IN (%s, %s) AND d.in_force_at >= %s AND d.in_force_at < %s "
        "GROUP BY o.path"
    )
    s = _datetime(w.start)
    values = [
        s,
        s,
        *params,
        ProposalKind.SUSPEND.value,
        ProposalKind.ANNUL_PROBATION.value,
        _datetime(w.prev_start),
        _datetime(w.end),
    ]
    for org_path, current, previous in run_grouped(sql, values):
        slot = _slot(result, org_path)
        slot["suspended"], slot["suspended_prev"] = int(current or 0), int(previous or 0)


def _located_days(result: PerOrg, path: str, w: Window) -> None:
    """Days from opening to locating of each case located in either period (for medians)."""
    join, params = subtree_join("c", "organisation_id", path)
    days = _days_between("c.located_at", "c.opened_at")
    sql = (
        f"SELECT o.path, CASE WHEN c.located_at >= %s THEN 1 ELSE 0 END, {days} "
        f"FROM {Case._meta.db_table} c {join} AND c.located_at >= %s AND c.located_at < %s"
    )
    values = [_datetime(w.start), *params, _datetime(w.prev_start), _datetime(w.end)]
    for org_path, current, value in run_grouped(sql, values):
        key = "located_days" if current else "located_days_prev"
        _slot(result, org_path)[key].append(float(value))


def _overdue_inquiries(result: PerOrg, path: str, w: Window) -> None:
    join, params = subtree_join("c", "organisation_id", path)
    marks = ", ".join(["%s"] * len(_UNANSWERED))
    sql = (
        "SELECT o.path, COUNT(*) "
        f"FROM {Inquiry._meta.db_table} i JOIN {Case._meta.db_table} c ON c.id = i.case_id "
        f"{join} AND i.status IN ({marks}) AND (i.status <> %s OR i.due_date < %s) "
        "GROUP BY o.path"
    )
    values = [
        *params,
        *[s.value for s in _UNANSWERED],
        InquiryStatus.SENT.value,
        _date(w.today),
    ]
    for org_path, count in run_grouped(sql, values):
        _slot(result, org_path)["overdue_inquiries"] = int(count)


def _unreturned_receipts(result: PerOrg, path: str) -> None:
    """Introduction letters sent out whose receipt has not come back."""
    join, params = subtree_join("t", "from_organisation_id", path)
    sql = (
        f"SELECT o.path, COUNT(*) FROM {RelationTransfer._meta.db_table} t "
        f"{join} AND t.receipt_returned_on IS NULL GROUP BY o.path"
    )
    for org_path, count in run_grouped(sql, params):
        _slot(result, org_path)["unreturned_receipts"] = int(count)


def figures_by_organisation(path: str, w: Window) -> PerOrg:
    """Live, exact figures of every organisation under `path` (itself included) whose rows
    sit at it, keyed by organisation path. Eleven queries whatever the data size."""
    result: PerOrg = {}
    _member_counts(result, path, w)
    _case_counts(result, path, w)
    _suspensions(result, path, w)
    _located_days(result, path, w)
    _overdue_inquiries(result, path, w)
    _unreturned_receipts(result, path)
    from casework.selectors.dashboard_prevention import prevention_figures  # uses this module

    prevention_figures(result, path, w)
    return result


def _rollup_rows(rows: list[Figures], day: dt.date, period_days: int) -> None:
    """Fill the rows from the nightly rollup of `day` (one query: subtree figures)."""
    by_id = {row.organisation.pk: row for row in rows}
    stored = DashboardRollup.objects.filter(
        day=day, period_days=period_days, organisation_id__in=list(by_id)
    ).values("organisation_id", *ROLLUP_FIELDS)
    for values in stored:
        row = by_id[values.pop("organisation_id")]
        for name, value in values.items():
            setattr(row, name, value)
        row.open_cases = sum(row.by_stage.values())


def _latest_rollup(period_days: int, today: dt.date) -> tuple[dt.date, dt.datetime] | None:
    """(day, computed_at) of the newest rollup of today or yesterday, if any."""
    row = (
        DashboardRollup.objects.filter(
            period_days=period_days, day__gte=today - dt.timedelta(days=1), day__lte=today
        )
        .order_by("-day", "-computed_at")
        .values_list("day", "computed_at")
        .first()
    )
    return (row[0], row[1]) if row else None


# ---- rolling up --------------------------------------------------------------------------------


def bucket_ids(focus: Organisation, path: str) -> list[int]:
    """The dashboard rows an organisation path adds up to: the focus, and the focus's child
    on the way down (paths are `/id/id/.../`)."""
    if not path.startswith(focus.path):
        return []
    first = path[len(focus.path) :].split("/", 1)[0]
    return [focus.pk, int(first)] if first else [focus.pk]


def path_ids(path: str) -> list[int]:
    """Every organisation on the path, the root first: the subtrees a row belongs to."""
    return [int(part) for part in path.strip("/").split("/") if part]


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def roll_up(rows: list[Figures], per_org: PerOrg, buckets: Callable[[str], list[int]]) -> None:
    """Add each organisation's figures to the rows `buckets(path)` names; then the totals
    that are not sums (open cases, medians)."""
    by_id = {row.organisation.pk: row for row in rows}
    for org_path, figures in per_org.items():
        for bucket in buckets(org_path):
            row = by_id.get(bucket)
            if row is None:
                continue
            for name in SUMMED:
                setattr(row, name, getattr(row, name) + figures[name])
            for name in SUMMED_DICTS:
                counts = getattr(row, name)
                for key, count in figures[name].items():
                    counts[key] = counts.get(key, 0) + count
            row.located_days.extend(figures["located_days"])
            row.located_days_prev.extend(figures["located_days_prev"])
    for row in rows:
        row.open_cases = sum(row.by_stage.values())
        row.median_days_to_locate = _median(row.located_days)
        row.median_days_to_locate_prev = _median(row.located_days_prev)


# ---- entry point ------------------------------------------------------------------------------


def dashboard_for_user(
    *,
    user: User,
    organisation_id: int | None = None,
    period_days: int = 30,
    as_of: dt.date | None = None,
) -> Dashboard:
    """The dashboard of `organisation_id` (default: the user's first scope root); NotFound
    outside the user's scope. A fixed number of queries whatever the data size. Today's
    dashboard reads the newest rollup of today or yesterday when there is one (figures as of
    `computed_at`); a given `as_of`, or no rollup, counts live."""
    paths = scope_paths(user, REGISTER_ROLES)
    if not paths:
        raise NotFound("not found")
    roots = list(Organisation.objects.filter(path__in=paths).order_by("path"))
    if organisation_id is None:
        focus = roots[0]
    else:
        focus_row = Organisation.objects.filter(pk=organisation_id).first()
        if focus_row is None or not any(focus_row.path.startswith(p) for p in paths):
            raise NotFound("not found")
        focus = focus_row
    if period_days not in PERIODS:
        period_days = PERIODS[0]
    today = as_of or timezone.localdate()
    computed_at = None
    if as_of is None:
        latest = _latest_rollup(period_days, today)
        if latest is not None:
            today, computed_at = latest
    children = list(Organisation.objects.filter(parent_id=focus.pk).order_by("path"))
    ancestor_ids = [int(part) for part in focus.path.strip("/").split("/") if part]
    crumbs = {
        o.pk: o
        for o in Organisation.objects.filter(pk__in=ancestor_ids)
        if any(o.path.startswith(p) for p in paths)
    }
    w = Window(today=today, period_days=period_days)
    rows = [Figures(organisation=org, is_focus=org.pk == focus.pk) for org in [focus, *children]]
    if computed_at is None:
        per_org = figures_by_organisation(focus.path, w)
        roll_up(rows, per_org, lambda path: bucket_ids(focus, path))
    else:
        _rollup_rows(rows, today, period_days)
    return Dashboard(
        focus=focus,
        rows=rows,
        period_days=period_days,
        period_start=w.start_day,
        previous_start=w.prev_day,
        as_of=today,
        at_risk_from=w.risk_from,
        at_risk_until=w.risk_until,
        roots=roots,
        breadcrumbs=[crumbs[i] for i in ancestor_ids if i in crumbs],
        computed_at=computed_at,
    )
