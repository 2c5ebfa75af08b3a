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
    """Overdue flow tasks per dashboard row, one query grouped by organisation (always live:
    an index range on the open tasks' due dates)."""
    org = Organisation._meta.db_table
    marks = ", ".join(["%s"] * len(OPEN_STATES))
    # count per organisation id first (index-only on the open tasks' due dates), then name
    # the few thousand groups by path
    sql = (
        f"SELECT o.path, x.n FROM (SELECT t.organisation_id, COUNT(*) AS n "
        f"FROM {TaskDue._meta.db_table} t WHERE t.state IN ({marks}) AND t.due_at < %s "
        f"GROUP BY t.organisation_id) x JOIN {org} o ON o.id = x.organisation_id "
        "WHERE o.path LIKE %s"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    counts = dict.fromkeys([row.organisation.pk for row in dashboard.rows], 0)
    for path, count in run_grouped(sql, [*OPEN_STATES, now, dashboard.focus.path + "%"]):
        for bucket in bucket_ids(dashboard.focus, path):
            if bucket in counts:
                counts[bucket] += int(count)
    for row in dashboard.rows:
        row.overdue_tasks = counts[row.organisation.pk]
