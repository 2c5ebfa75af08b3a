"""Dashboard figures owned by the upper floors (flow tasks), rolled up with the same buckets."""

from __future__ import annotations

# SQL assembled from a model table name and "%s" placeholders only.
# ruff: noqa: S608
from django.utils import timezone

from casework.selectors.dashboard import Dashboard, bucket_cte, run_grouped
from workflows.models import OPEN_STATES, TaskDue


def add_upper_floor_figures(dashboard: Dashboard) -> None:
    """Overdue flow tasks per dashboard row, one grouped query."""
    ids = [row.organisation.pk for row in dashboard.rows]
    cte, params = bucket_cte(ids)
    marks = ", ".join(["%s"] * len(OPEN_STATES))
    sql = (
        f"{cte} SELECT bucket.bucket_id, COUNT(*) FROM {TaskDue._meta.db_table} t "
        "JOIN bucket ON bucket.org_id = t.organisation_id "
        f"WHERE t.state IN ({marks}) AND t.due_at < %s GROUP BY bucket.bucket_id"
    )
    from django.db import connection

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    counts = {row[0]: int(row[1]) for row in run_grouped(sql, [*params, *OPEN_STATES, now])}
    for row in dashboard.rows:
        row.overdue_tasks = counts.get(row.organisation.pk, 0)
