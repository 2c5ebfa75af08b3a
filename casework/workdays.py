"""Working-day arithmetic for deadlines (Monday to Friday; no holiday calendar yet)."""

from __future__ import annotations

import datetime as dt


def add_working_days(day: dt.date, days: int) -> dt.date:
    """The date `days` working days after `day` (weekends skipped)."""
    current = day
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current
