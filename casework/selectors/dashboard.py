"""Assessment figures (measure 9): per organisation and rolled up the tree, counted in SQL.

The dashboard looks at one organisation (the focus) and its direct children. Every figure is
aggregated by the database with a GROUP BY on "bucket", where a bucket is the focus or one
of its children and a row belongs to the bucket whose path prefixes its organisation's path
(`o.path LIKE b.path || '%'`). The number of queries is fixed whatever the data size; no
Python loop ever touches a member or case row.
"""

# SQL below is assembled only from model table names and "%s" placeholders; values are
# always passed as parameters.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from casework.access import REGISTER_ROLES, User, scope_paths
from casework.errors import NotFound
from casework.models import (
    Case,
    CaseStatus,
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
    unreturned_receipts: int | None = None

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

    @property
    def total(self) -> Figures:
        return self.rows[0]

    @property
    def children(self) -> list[Figures]:
        return self.rows[1:]

    def stages(self) -> list[tuple[str, str]]:
        return [(s.value, str(s.label)) for s in OPEN_STAGES]


# ---- SQL building blocks -----------------------------------------------------------------


def bucket_cte(bucket_ids: Sequence[int]) -> tuple[str, list[Any]]:
    """`WITH bucket(bucket_id, org_id)`: every organisation under each bucket organisation.

    Callers join their table on `bucket.org_id` and GROUP BY `bucket.bucket_id`. The upper
    floors (tasks, receipts) use it too, so every dashboard figure rolls up the same way.
    """
    org = Organisation._meta.db_table
    marks = ", ".join(["%s"] * len(bucket_ids))
    sql = (
        f"WITH bucket AS (SELECT b.id AS bucket_id, o.id AS org_id FROM {org} b "
        f"JOIN {org} o ON o.path LIKE (b.path || '%%') WHERE b.id IN ({marks}))"
    )
    return sql, list(bucket_ids)


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


# ---- the figures -----------------------------------------------------------------------------


def _member_counts(
    ids: Sequence[int], risk_from: dt.date, risk_until: dt.date
) -> dict[int, tuple[int, int]]:
    cte, params = bucket_cte(ids)
    sql = (
        f"{cte} SELECT bucket.bucket_id, COUNT(*), "
        "SUM(CASE WHEN m.last_contact_date > %s AND m.last_contact_date <= %s THEN 1 ELSE 0 END) "
        f"FROM {Member._meta.db_table} m JOIN bucket ON bucket.org_id = m.organisation_id "
        "WHERE m.status = %s GROUP BY bucket.bucket_id"
    )
    rows = run_grouped(sql, [*params, _date(risk_from), _date(risk_until), MemberStatus.NORMAL])
    return {row[0]: (int(row[1]), int(row[2] or 0)) for row in rows}


def _open_by_stage(ids: Sequence[int]) -> dict[int, dict[str, int]]:
    cte, params = bucket_cte(ids)
    marks = ", ".join(["%s"] * len(OPEN_STAGES))
    sql = (
        f"{cte} SELECT bucket.bucket_id, c.status, COUNT(*) "
        f"FROM {Case._meta.db_table} c JOIN bucket ON bucket.org_id = c.organisation_id "
        f"WHERE c.status IN ({marks}) GROUP BY bucket.bucket_id, c.status"
    )
    result: dict[int, dict[str, int]] = {}
    for bucket_id, status, count in run_grouped(sql, [*params, *[s.value for s in OPEN_STAGES]]):
        result.setdefault(bucket_id, {})[status] = int(count)
    return result


def _case_flows(
    ids: Sequence[int], start: dt.datetime, prev_start: dt.datetime, end: dt.datetime
) -> dict[int, tuple[int, ...]]:
    """Per bucket: open at the previous period's end, opened (this/previous), located (same)."""
    cte, params = bucket_cte(ids)
    closed = (CaseStatus.CLOSED.value, CaseStatus.WITHDRAWN.value)
    sql = (
        f"{cte} SELECT bucket.bucket_id, "
        "SUM(CASE WHEN c.opened_at < %s AND (c.closed_at IS NULL OR c.closed_at >= %s) "
        "AND NOT (c.status IN (%s, %s) AND c.closed_at IS NULL) THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.opened_at >= %s AND c.opened_at < %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.opened_at >= %s AND c.opened_at < %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.located_at >= %s AND c.located_at < %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.located_at >= %s AND c.located_at < %s THEN 1 ELSE 0 END) "
        f"FROM {Case._meta.db_table} c JOIN bucket ON bucket.org_id = c.organisation_id "
        "WHERE c.opened_at < %s GROUP BY bucket.bucket_id"
    )
    s, p, e = _datetime(start), _datetime(prev_start), _datetime(end)
    values = [*params, s, s, *closed, s, e, p, s, s, e, p, s, e]
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in run_grouped(sql, values)}


def _suspensions(
    ids: Sequence[int], start: dt.datetime, prev_start: dt.datetime, end: dt.datetime
) -> dict[int, tuple[int, int]]:
    cte, params = bucket_cte(ids)
    sql = (
        f"{cte} SELECT bucket.bucket_id, "
        "SUM(CASE WHEN d.in_force_at >= %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN d.in_force_at < %s THEN 1 ELSE 0 END) "
        f"FROM {Decision._meta.db_table} d JOIN {Case._meta.db_table} c ON c.id = d.case_id "
        "JOIN bucket ON bucket.org_id = c.organisation_id "
        "WHERE d.kind IN (%s, %s) AND d.in_force_at >= %s AND d.in_force_at < %s "
        "GROUP BY bucket.bucket_id"
    )
    s = _datetime(start)
    values = [
        *params,
        s,
        s,
        ProposalKind.SUSPEND.value,
        ProposalKind.ANNUL_PROBATION.value,
        _datetime(prev_start),
        _datetime(end),
    ]
    return {row[0]: (int(row[1] or 0), int(row[2] or 0)) for row in run_grouped(sql, values)}


def _median_days_to_locate(
    ids: Sequence[int], start: dt.datetime, prev_start: dt.datetime, end: dt.datetime
) -> dict[tuple[int, int], float]:
    """Median (opened → located) in days per bucket and period (1 = this, 0 = previous),
    by window functions so it runs the same on PostgreSQL and SQLite."""
    cte, params = bucket_cte(ids)
    days = _days_between("c.located_at", "c.opened_at")
    sql = (
        f"{cte}, located AS (SELECT bucket.bucket_id AS bid, "
        "CASE WHEN c.located_at >= %s THEN 1 ELSE 0 END AS cur, "
        f"{days} AS d FROM {Case._meta.db_table} c "
        "JOIN bucket ON bucket.org_id = c.organisation_id "
        "WHERE c.located_at >= %s AND c.located_at < %s), "
        "ranked AS (SELECT bid, cur, d, "
        "ROW_NUMBER() OVER (PARTITION BY bid, cur ORDER BY d) AS rn, "
        "COUNT(*) OVER (PARTITION BY bid, cur) AS n FROM located) "
        "SELECT bid, cur, AVG(d) FROM ranked WHERE rn IN ((n + 1) / 2, (n + 2) / 2) "
        "GROUP BY bid, cur"
    )
    values = [*params, _datetime(start), _datetime(prev_start), _datetime(end)]
    return {(row[0], int(row[1])): round(float(row[2]), 1) for row in run_grouped(sql, values)}


def _overdue_inquiries(ids: Sequence[int], today: dt.date) -> dict[int, int]:
    cte, params = bucket_cte(ids)
    marks = ", ".join(["%s"] * len(_UNANSWERED))
    sql = (
        f"{cte} SELECT bucket.bucket_id, COUNT(*) "
        f"FROM {Inquiry._meta.db_table} i JOIN {Case._meta.db_table} c ON c.id = i.case_id "
        "JOIN bucket ON bucket.org_id = c.organisation_id "
        f"WHERE i.status IN ({marks}) AND (i.status <> %s OR i.due_date < %s) "
        "GROUP BY bucket.bucket_id"
    )
    values = [*params, *[s.value for s in _UNANSWERED], InquiryStatus.SENT.value, _date(today)]
    return {row[0]: int(row[1]) for row in run_grouped(sql, values)}


def _unreturned_receipts(ids: Sequence[int]) -> dict[int, int]:
    """Introduction letters sent out whose receipt has not come back."""
    cte, params = bucket_cte(ids)
    sql = (
        f"{cte} SELECT bucket.bucket_id, COUNT(*) FROM {RelationTransfer._meta.db_table} t "
        "JOIN bucket ON bucket.org_id = t.from_organisation_id "
        "WHERE t.receipt_returned_on IS NULL GROUP BY bucket.bucket_id"
    )
    return {row[0]: int(row[1]) for row in run_grouped(sql, params)}


# ---- entry point ------------------------------------------------------------------------------


def dashboard_roots_for_user(*, user: User) -> list[Organisation]:
    """The top organisations of the user's scope (where their roles are held)."""
    return list(Organisation.objects.filter(path__in=scope_paths(user, REGISTER_ROLES)))


def dashboard_for_user(
    *,
    user: User,
    organisation_id: int | None = None,
    period_days: int = 30,
    as_of: dt.date | None = None,
) -> Dashboard:
    """The dashboard of `organisation_id` (default: the user's first scope root); NotFound
    outside the user's scope. A fixed number of queries whatever the data size."""
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
    children = list(Organisation.objects.filter(parent_id=focus.pk).order_by("path"))
    ancestor_ids = [int(part) for part in focus.path.strip("/").split("/") if part]
    crumbs = {
        o.pk: o
        for o in Organisation.objects.filter(pk__in=ancestor_ids)
        if any(o.path.startswith(p) for p in paths)
    }
    ids = [focus.pk, *[c.pk for c in children]]

    rules = rules_for(today)
    risk_until = add_months(today, -rules.at_risk_after_months)
    risk_from = add_months(today, -rules.lost_after_months)
    start_day = today - dt.timedelta(days=period_days - 1)
    prev_day = start_day - dt.timedelta(days=period_days)
    start, prev_start = _start_of(start_day), _start_of(prev_day)
    end = _start_of(today + dt.timedelta(days=1))

    members = _member_counts(ids, risk_from, risk_until)
    stages = _open_by_stage(ids)
    flows = _case_flows(ids, start, prev_start, end)
    suspended = _suspensions(ids, start, prev_start, end)
    medians = _median_days_to_locate(ids, start, prev_start, end)
    inquiries = _overdue_inquiries(ids, today)
    receipts = _unreturned_receipts(ids)

    rows: list[Figures] = []
    for org in [focus, *children]:
        by_stage = stages.get(org.pk, {})
        open_prev, opened, opened_prev, located, located_prev = flows.get(org.pk, (0,) * 5)
        rows.append(
            Figures(
                organisation=org,
                is_focus=org.pk == focus.pk,
                members=members.get(org.pk, (0, 0))[0],
                at_risk=members.get(org.pk, (0, 0))[1],
                open_cases=sum(by_stage.values()),
                open_cases_prev=open_prev,
                opened=opened,
                opened_prev=opened_prev,
                by_stage=by_stage,
                located=located,
                located_prev=located_prev,
                suspended=suspended.get(org.pk, (0, 0))[0],
                suspended_prev=suspended.get(org.pk, (0, 0))[1],
                median_days_to_locate=medians.get((org.pk, 1)),
                median_days_to_locate_prev=medians.get((org.pk, 0)),
                overdue_inquiries=inquiries.get(org.pk, 0),
                unreturned_receipts=receipts.get(org.pk, 0),
            )
        )
    return Dashboard(
        focus=focus,
        rows=rows,
        period_days=period_days,
        period_start=start_day,
        previous_start=prev_day,
        as_of=today,
        at_risk_from=risk_from,
        at_risk_until=risk_until,
        roots=roots,
        breadcrumbs=[crumbs[i] for i in ancestor_ids if i in crumbs],
    )
