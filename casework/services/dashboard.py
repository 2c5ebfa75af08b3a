"""Dashboard writes (measure 9): audited exports, and the nightly figures rollup."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from casework.audit import audit_record
from casework.models import DashboardRollup, Organisation
from casework.selectors.dashboard import (
    PERIODS,
    ROLLUP_FIELDS,
    Figures,
    Window,
    figures_by_organisation,
    path_ids,
    roll_up,
)


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
    """Recompute the dashboard rollup of `day` (default today): for every organisation and
    period, its whole subtree's figures, from the same live queries and the same roll-up the
    dashboard uses; replace that day's rows in one transaction and drop rollups older than a
    week. Returns the number of rows written.

    A derived cache, not a state change: no audit event. Runs nightly (beat
    `dashboard-rollup`, after the lost-contact sweep); the dashboard shows its time."""
    day = day or timezone.localdate()
    computed_at = timezone.now()
    organisations = list(Organisation.objects.all())
    rows: list[DashboardRollup] = []
    # Compute first (read-only, seconds at a million members), then swap in one transaction.
    for period_days in PERIODS:
        figures = [Figures(organisation=org) for org in organisations]
        roll_up(figures, figures_by_organisation("/", Window(day, period_days)), path_ids)
        rows.extend(
            DashboardRollup(
                organisation=f.organisation,
                day=day,
                period_days=period_days,
                computed_at=computed_at,
                **{name: getattr(f, name) for name in ROLLUP_FIELDS},
            )
            for f in figures
        )
    with transaction.atomic():
        DashboardRollup.objects.filter(
            Q(day=day) | Q(day__lt=day - dt.timedelta(days=KEEP_ROLLUP_DAYS))
        ).delete()
        DashboardRollup.objects.bulk_create(rows, batch_size=2_000)
    return len(rows)
