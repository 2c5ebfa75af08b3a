"""Appeals (申诉) against a decision in force, decided by the organ above the one that decided."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.fields import EncryptedTextField
from casework.models.cases import Case
from casework.models.decisions import Decision
from casework.models.organisations import Organisation


class AppealOutcome(models.TextChoices):
    PENDING = "", _("复查中")
    UPHELD = "upheld", _("维持原决定")
    REVOKED = "revoked", _("撤销原决定")


class Appeal(models.Model):
    """One appeal against one decision: received, reviewed by the higher organ, decided."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="appeals")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals")
    grounds = EncryptedTextField(_("申诉理由"))
    received_on = models.DateField(_("收到申诉日期"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # the organ that reviews it: the committee (or department) above the one that decided
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("复查机关")
    )
    outcome = models.CharField(
        _("复查结论"), max_length=10, choices=AppealOutcome.choices, blank=True, default=""
    )
    reason = models.TextField(_("复查意见"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")
        constraints = [
            # one appeal per decision: a second one on the same decision is refused
            models.UniqueConstraint(fields=["decision"], name="one_appeal_per_decision")
        ]

    def __str__(self) -> str:
        return f"appeal {self.case_id} {self.decision_id} {self.outcome or 'pending'}"

    @property
    def is_pending(self) -> bool:
        return not self.outcome
