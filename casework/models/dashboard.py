"""The dashboard's nightly rollup: one row per organisation, day and period with the figures
of the organisation's whole subtree (members, cases, inquiries, receipts, medians, and the
prevention figures: contact duty, key groups, 三会一课, data quality).

Written only by `casework.services.dashboard.dashboard_rollup_refresh` (nightly Celery task,
after the lost-contact sweep); read by `casework.selectors.dashboard`, which then reads the
focus's and its children's rows instead of scanning a million members. A derived cache:
rebuilt, never edited.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.models.organisations import Organisation


class DashboardRollup(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("统计日"))
    period_days = models.PositiveSmallIntegerField(_("统计期（天）"))
    computed_at = models.DateTimeField(_("计算时间"))
    members = models.PositiveIntegerField(default=0)
    at_risk = models.PositiveIntegerField(default=0)
    by_stage = models.JSONField(default=dict)
    open_cases_prev = models.PositiveIntegerField(default=0)
    opened = models.PositiveIntegerField(default=0)
    opened_prev = models.PositiveIntegerField(default=0)
    located = models.PositiveIntegerField(default=0)
    located_prev = models.PositiveIntegerField(default=0)
    suspended = models.PositiveIntegerField(default=0)
    suspended_prev = models.PositiveIntegerField(default=0)
    overdue_inquiries = models.PositiveIntegerField(default=0)
    unreturned_receipts = models.PositiveIntegerField(default=0)
    median_days_to_locate = models.FloatField(null=True)
    median_days_to_locate_prev = models.FloatField(null=True)
    # prevention (casework/selectors/dashboard_prevention.py)
    contact_overdue = models.PositiveIntegerField(default=0)
    key_group_members = models.PositiveIntegerField(default=0)
    by_key_group = models.JSONField(default=dict)
    receipts_overdue = models.PositiveIntegerField(default=0)
    branches = models.PositiveIntegerField(default=0)
    org_life_ok = models.PositiveIntegerField(default=0)
    org_life_ok_prev = models.PositiveIntegerField(default=0)
    org_life_by_kind = models.JSONField(default=dict)
    dq_incomplete = models.PositiveIntegerField(default=0)
    dq_no_id_number = models.PositiveIntegerField(default=0)
    dq_no_phone = models.PositiveIntegerField(default=0)
    dq_no_residence = models.PositiveIntegerField(default=0)
    dq_no_occupation = models.PositiveIntegerField(default=0)
    dq_no_relative_contact = models.PositiveIntegerField(default=0)
    dq_no_officer = models.PositiveIntegerField(default=0)
    dq_unconfirmed = models.PositiveIntegerField(default=0)
    dq_duplicates = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("统计快照")
        verbose_name_plural = _("统计快照")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "period_days", "organisation"], name="dashboard_rollup_unique"
            )
        ]
        indexes = [
            # the dashboard's "newest rollup of today or yesterday" (one index probe)
            models.Index(fields=["period_days", "day", "computed_at"], name="rollup_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.day} {self.period_days}d"
