"""Plain-text log lines stamped in ISO 8601 with the UTC offset (2026-12-04T04:31:16.336+08:00).

The process clock is the configured TIME_ZONE (Django sets TZ at start-up); a time without
its offset reads eight hours wrong next to a UTC machine clock, so every line carries it.
The JSON formatter (web/jsonlog.py) stamps UTC with its offset.
"""

from __future__ import annotations

import datetime as dt
import logging


def iso_time(record: logging.LogRecord) -> str:
    """When the record was made, local time with its offset, to the millisecond."""
    return dt.datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


class PlainFormatter(logging.Formatter):
    """`logging.Formatter` whose %(asctime)s is ISO 8601 with the offset."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return iso_time(record)
