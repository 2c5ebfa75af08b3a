"""Self-service reconnect links and the contact changes members submit through them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.fields import EncryptedTextField
from casework.models import Case, Member


class ReconnectLink(models.Model):
    """Single use: `used_at` is set by compare-and-set; the token carries only ids."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"reconnect link {self.pk}"


class PendingStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("已驳回")


class PendingContactChange(models.Model):
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    link = models.OneToOneField(ReconnectLink, on_delete=models.PROTECT, related_name="change")
    phone = EncryptedTextField(_("新联系电话"), blank=True)
    residence = EncryptedTextField(_("新住址"), blank=True)
    status = models.CharField(
        max_length=10, choices=PendingStatus.choices, default=PendingStatus.PENDING
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("待确认联系方式变更")
        verbose_name_plural = _("待确认联系方式变更")

    def __str__(self) -> str:
        return f"pending change {self.pk}"
