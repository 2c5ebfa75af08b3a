"""Dashboard figures owned by the upper floors (flow tasks), rolled up the same way."""

from __future__ import annotations

# SQL assembled from a model table name and "%s" placeholders only.
# ruff: noqa: S608
from django.db import connection
from django.utils import timezone

from casework.selectors.dashboard import Dashboard, bucket_ids, run_grouped, subtree_join
from workflows.models import OPEN_STATES, TaskDue


def add_upper_floor_figures(dashboard: Dashboard) -> None:
    """Overdue flow tasks per dashboard row, one query grouped by organisation (always live:
    an index range on the open tasks' due dates)."""
    join, params = subtree_join("t", "organisation_id", dashboard.focus.path)
    marks = ", ".join(["%s"] * len(OPEN_STATES))
    sql = (
        f"SELECT o.path, COUNT(*) FROM {TaskDue._meta.db_table} t {join} "
        f"AND t.state IN ({marks}) AND t.due_at < %s GROUP BY o.path"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    counts = dict.fromkeys([row.organisation.pk for row in dashboard.rows], 0)
    for path, count in run_grouped(sql, [*params, *OPEN_STATES, now]):
        for bucket in bucket_ids(dashboard.focus, path):
            if bucket in counts:
                counts[bucket] += int(count)
    for row in dashboard.rows:
        row.overdue_tasks = counts[row.organisation.pk]
