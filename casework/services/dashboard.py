"""Dashboard writes (measure 9): audited exports, and the nightly figures rollup."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from casework.audit import audit_record
from casework.models import DashboardRollup, Organisation
from casework.selectors.dashboard import LISTS, PERIODS, SUMMED, Window, figures_by_organisation


def dashboard_export_record(
    *, actor: AbstractBaseUser, organisation: Organisation, fmt: str, period_days: int
) -> None:
    """One audit event `dashboard.export` in the organisation's stream (no personal data)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="dashboard.export",
            obj=organisation,
            organisation=organisation,
            after={"format": fmt, "period_days": period_days},
        )


KEEP_ROLLUP_DAYS = 7


def dashboard_rollup_refresh(*, day: dt.date | None = None) -> int:
    """Recompute the dashboard rollup of `day` (default today) for every period, from the
    same live queries the dashboard runs, and replace that day's rows in one transaction;
    rollups older than a week are dropped. Returns the number of rows written.

    A derived cache, not a state change: no audit event. Runs nightly (beat
    `dashboard-rollup`, after the lost-contact sweep); the dashboard shows its time."""
    day = day or timezone.localdate()
    computed_at = timezone.now()
    # Compute first (read-only, a few seconds at a million members), then swap quickly.
    orgs = dict(Organisation.objects.values_list("path", "pk"))
    rows: list[DashboardRollup] = []
    for period_days in PERIODS:
        per_org = figures_by_organisation("/", Window(today=day, period_days=period_days))
        rows.extend(
            DashboardRollup(
                organisation_id=orgs[path],
                day=day,
                period_days=period_days,
                computed_at=computed_at,
                **{name: figures[name] for name in (*SUMMED, "by_stage", *LISTS)},
            )
            for path, figures in per_org.items()
            if path in orgs
        )
    with transaction.atomic():
        DashboardRollup.objects.filter(
            Q(day=day) | Q(day__lt=day - dt.timedelta(days=KEEP_ROLLUP_DAYS))
        ).delete()
        DashboardRollup.objects.bulk_create(rows, batch_size=2_000)
    return len(rows)
