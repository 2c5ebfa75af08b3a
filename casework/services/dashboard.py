"""Recording dashboard exports for inspection (measure 9): every export is audited."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from casework.audit import audit_record
from casework.models import Organisation


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
