"""Prevention figures of the dashboard (measures 1, 3, 5, 7, 9), counted like the others: one
grouped SQL query per figure family over the focus's subtree (path prefix), per organisation
path, then rolled up by casework.selectors.dashboard.roll_up (sums, dicts of sums).

- members (one pass): data quality — no ID number, no phone, no residence, no occupation, no
  relative with a phone or address, no contact officer, not confirmed with the member for the
  rule set's `info_confirm_months`, and "incomplete" (any of these but the last) —; contact
  duty — normal members whose last contact is older than their key group's cadence
  (`contact_cadence_days`; never contacted counts as due) —; key-group members, and at-risk
  members per key group;
- open cases per key group of their member;
- 三会一课 per branch: on schedule when the latest meeting of each kind in the rule set's
  `org_life_cadence_months` lies within that many months of the period end (and of the
  previous period's end, for comparison);
- likely duplicates: members sharing a phone or a name-and-birth-date blind index with
  another member (casework.models.MemberSearchKey);
- introduction-letter receipts past the letter's validity and still not returned.
"""

# SQL below is assembled only from model table names, column names and "%s" placeholders;
# values are always parameters.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt

from casework.key_groups import at_risk_limits, cadence_limits, seen_before_sql
from casework.models import (
    CLOSED_STATUSES,
    Case,
    KeyGroup,
    Meeting,
    Member,
    MemberSearchKey,
    MemberStatus,
    Organisation,
    OrgKind,
    RelationTransfer,
    Relative,
    SearchKeyKind,
)
from casework.policy import add_months, rules_for
from casework.selectors.dashboard import PerOrg, Window, _date, _slot, run_grouped, subtree_join

ALL_GROUPS = sum(group.value for group in KeyGroup)
DUPLICATE_KINDS = (SearchKeyKind.PHONE.value, SearchKeyKind.NAME_BIRTH.value)
_DQ = (
    "dq_no_id_number",
    "dq_no_phone",
    "dq_no_residence",
    "dq_no_occupation",
    "dq_no_relative_contact",
    "dq_no_officer",
    "dq_unconfirmed",
    "dq_incomplete",
)


def prevention_figures(result: PerOrg, path: str, w: Window) -> None:
    """Add the prevention figures of every organisation under `path` to `result`."""
    _members(result, path, w)
    _open_cases_by_key_group(result, path)
    _org_life(result, path, w)
    _duplicates(result, path)
    _receipts_overdue(result, path, w)


def missing_sql(alias: str = "m") -> dict[str, str]:
    """Boolean SQL per data-quality gap of member row `alias` (shared with the page)."""
    relative = Relative._meta.db_table
    return {
        "dq_no_id_number": f"{alias}.id_number = ''",
        "dq_no_phone": f"({alias}.phone = '' AND {alias}.phone_alt = '')",
        "dq_no_residence": f"{alias}.residence = ''",
        "dq_no_occupation": f"{alias}.occupation = ''",
        "dq_no_relative_contact": (
            f"NOT EXISTS (SELECT 1 FROM {relative} r WHERE r.member_id = {alias}.id "
            "AND (r.phone <> '' OR r.address <> ''))"
        ),
        "dq_no_officer": f"{alias}.contact_officer_id IS NULL",
    }


def unconfirmed_since(today: dt.date) -> dt.date:
    """Records confirmed before this day (or never) are stale."""
    return add_months(today, -rules_for(today).info_confirm_months)


def _members(result: PerOrg, path: str, w: Window) -> None:
    rules = rules_for(w.today)
    join, params = subtree_join("m", "organisation_id", path)
    gaps = missing_sql("m")
    seen = "COALESCE(m.last_contact_date, m.join_date)"
    overdue, overdue_params = seen_before_sql(
        cadence_limits(rules, w.today), column=seen, groups="m.key_groups", adapt=_date
    )
    risky, risky_params = seen_before_sql(
        at_risk_limits(rules, w.today),
        column="m.last_contact_date",
        groups="m.key_groups",
        adapt=_date,
    )
    groups = [group.value for group in KeyGroup]
    columns = [
        *[f"SUM(CASE WHEN {gaps[name]} THEN 1 ELSE 0 END)" for name in _DQ[:6]],
        "SUM(CASE WHEN m.info_confirmed_on IS NULL OR m.info_confirmed_on < %s THEN 1 ELSE 0 END)",
        f"SUM(CASE WHEN {' OR '.join(gaps.values())} THEN 1 ELSE 0 END)",
        f"SUM(CASE WHEN {seen} IS NULL OR {overdue} THEN 1 ELSE 0 END)",
        "SUM(CASE WHEN (m.key_groups & %s) <> 0 THEN 1 ELSE 0 END)",
        *[
            f"SUM(CASE WHEN (m.key_groups & %s) <> 0 AND m.last_contact_date > %s AND {risky} "
            "THEN 1 ELSE 0 END)"
        ]
        * len(groups),
    ]
    sql = (
        f"SELECT o.path, {', '.join(columns)} FROM {Member._meta.db_table} m "
        f"{join} AND m.status = %s GROUP BY o.path"
    )
    values = [
        _date(unconfirmed_since(w.today)),
        *overdue_params,
        ALL_GROUPS,
        *[value for bit in groups for value in (bit, _date(w.risk_from), *risky_params)],
        *params,
        MemberStatus.NORMAL,
    ]
    for row in run_grouped(sql, values):
        slot = _slot(result, row[0])
        counts = [int(v or 0) for v in row[1:]]
        slot.update(zip(_DQ, counts[:8], strict=True))
        slot["contact_overdue"], slot["key_group_members"] = counts[8], counts[9]
        for bit, count in zip(groups, counts[10:], strict=True):
            if count:
                slot["by_key_group"][f"risk:{bit}"] = count


def _open_cases_by_key_group(result: PerOrg, path: str) -> None:
    join, params = subtree_join("c", "organisation_id", path)
    groups = [group.value for group in KeyGroup]
    columns = ", ".join(["SUM(CASE WHEN (m.key_groups & %s) <> 0 THEN 1 ELSE 0 END)"] * 7)
    closed = ", ".join(["%s"] * len(CLOSED_STATUSES))
    sql = (
        f"SELECT o.path, {columns} FROM {Case._meta.db_table} c "
        f"JOIN {Member._meta.db_table} m ON m.id = c.member_id "
        f"{join} AND c.status NOT IN ({closed}) AND m.key_groups <> 0 GROUP BY o.path"
    )
    values = [*groups, *params, *[str(status) for status in CLOSED_STATUSES]]
    for row in run_grouped(sql, values):
        slot = _slot(result, row[0])
        for bit, count in zip(groups, row[1:], strict=True):
            if count:
                slot["by_key_group"][f"open:{bit}"] = int(count)


def _org_life(result: PerOrg, path: str, w: Window) -> None:
    """Every branch of the subtree, with 0/1 per kind and period end: a meeting of the kind
    within its cadence before that day."""
    cadence = rules_for(w.today).org_life_cadence_months
    kinds = sorted(cadence)
    ends = (w.today, w.start_day - dt.timedelta(days=1))
    columns: list[str] = []
    values: list[object] = []
    for end in ends:
        for kind in kinds:
            columns.append(
                "MAX(CASE WHEN mt.kind = %s AND mt.held_on > %s AND mt.held_on <= %s "
                "THEN 1 ELSE 0 END)"
            )
            values += [kind, _date(add_months(end, -cadence[kind])), _date(end)]
    earliest = add_months(ends[1], -max(cadence.values(), default=0))
    sql = (
        f"SELECT o.path, {', '.join(columns) or '0'} FROM {Organisation._meta.db_table} o "
        f"LEFT JOIN {Meeting._meta.db_table} mt ON mt.organisation_id = o.id "
        "AND mt.held_on > %s AND mt.held_on <= %s "
        "WHERE o.path LIKE %s AND o.kind = %s GROUP BY o.path"
    )
    values += [_date(earliest), _date(w.today), path + "%", OrgKind.BRANCH.value]
    for row in run_grouped(sql, values):
        slot = _slot(result, row[0])
        flags = [bool(v) for v in row[1:]]
        now, before = flags[: len(kinds)], flags[len(kinds) :]
        slot["branches"] = 1
        slot["org_life_ok"] = int(all(now))
        slot["org_life_ok_prev"] = int(all(before))
        for kind, ok in zip(kinds, now, strict=True):
            slot["org_life_by_kind"][kind] = int(ok)


def _duplicates(result: PerOrg, path: str) -> None:
    join, params = subtree_join("m", "organisation_id", path)
    keys = MemberSearchKey._meta.db_table
    sql = (
        f"SELECT o.path, COUNT(DISTINCT k.member_id) FROM {keys} k "
        f"JOIN {Member._meta.db_table} m ON m.id = k.member_id {join} "
        "AND m.status = %s AND k.kind IN (%s, %s) AND EXISTS "
        f"(SELECT 1 FROM {keys} d WHERE d.key = k.key AND d.member_id <> k.member_id) "
        "GROUP BY o.path"
    )
    values = [*params, MemberStatus.NORMAL, *DUPLICATE_KINDS]
    for org_path, count in run_grouped(sql, values):
        _slot(result, org_path)["dq_duplicates"] = int(count)


def _receipts_overdue(result: PerOrg, path: str, w: Window) -> None:
    join, params = subtree_join("t", "from_organisation_id", path)
    sql = (
        f"SELECT o.path, COUNT(*) FROM {RelationTransfer._meta.db_table} t {join} "
        "AND t.receipt_returned_on IS NULL AND t.valid_until < %s GROUP BY o.path"
    )
    for org_path, count in run_grouped(sql, [*params, _date(w.today)]):
        _slot(result, org_path)["receipts_overdue"] = int(count)
