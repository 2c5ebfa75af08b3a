"""Dashboard figures owned by the upper floors (flow tasks), rolled up the same way."""

from __future__ import annotations

# SQL assembled from a model table name and "%s" placeholders only.
# ruff: noqa: S608
from django.db import connection
from django.utils import timezone

from casework.models import Organisation
from casework.selectors.dashboard import Dashboard, bucket_ids, run_grouped
from workflows.models import OPEN_STATES, TaskDue


def add_upper_floor_figures(dashboard: Dashboard) -> None:
    """Overdue flow tasks per dashboard row (always live: an index-only range on the open
    tasks' due dates), counted per organisation and then, on PostgreSQL, summed per dashboard
    row in the same query: at 10M members the top department has ~50,000 organisations with
    overdue tasks but only ~500 rows."""
    org = Organisation._meta.db_table
    marks = ", ".join(["%s"] * len(OPEN_STATES))
    focus = dashboard.focus
    per_org = (
        f"SELECT t.organisation_id, COUNT(*) AS n "
        f"FROM {TaskDue._meta.db_table} t WHERE t.state IN ({marks}) AND t.due_at < %s "
        "GROUP BY t.organisation_id"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    counts = dict.fromkeys([row.organisation.pk for row in dashboard.rows], 0)
    if connection.vendor == "postgresql":
        # the first path segment below the focus names the row ('' = the focus itself)
        sql = (
            f"SELECT split_part(substr(o.path, %s), '/', 1), SUM(x.n) FROM ({per_org}) x "
            f"JOIN {org} o ON o.id = x.organisation_id WHERE o.path LIKE %s GROUP BY 1"
        )
        params = [len(focus.path) + 1, *OPEN_STATES, now, focus.path + "%"]
        for child, count in run_grouped(sql, params):
            for bucket in [focus.pk, int(child)] if child else [focus.pk]:
                if bucket in counts:
                    counts[bucket] += int(count)
    else:
        sql = (
            f"SELECT o.path, x.n FROM ({per_org}) x "
            f"JOIN {org} o ON o.id = x.organisation_id WHERE o.path LIKE %s"
        )
        for path, count in run_grouped(sql, [*OPEN_STATES, now, focus.path + "%"]):
            for bucket in bucket_ids(focus, path):
                if bucket in counts:
                    counts[bucket] += int(count)
    for row in dashboard.rows:
        row.overdue_tasks = counts[row.organisation.pk]
