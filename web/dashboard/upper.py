"""Dashboard figures owned by the upper floors (flow tasks), rolled up with the same buckets."""

from __future__ import annotations

from casework.selectors.dashboard import Dashboard


def add_upper_floor_figures(dashboard: Dashboard) -> None:
    """Fill figures whose tables live above casework (overdue flow tasks). A figure whose
    model is not installed stays None and shows as “—”."""
    return None
