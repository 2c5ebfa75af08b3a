"""Work created for people by the outside world: follow-ups on clues, coordinator notices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.fields import EncryptedTextField
from casework.models import Case, Inquiry, Member, Organisation


class ClueFollowUp(models.Model):
    """A clue from a department for the contact officer to act on (call, visit)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    inquiry = models.OneToOneField(Inquiry, on_delete=models.PROTECT, related_name="follow_up")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("包干联系人"),
    )
    details = EncryptedTextField(_("线索内容"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("线索跟进")
        verbose_name_plural = _("线索跟进")
        indexes = [models.Index(fields=["assignee", "done_at"], name="followup_assignee_open")]

    def __str__(self) -> str:
        return f"follow-up {self.pk} (inquiry {self.inquiry_id})"


class CoordinatorNotification(models.Model):
    """A notice shown to the coordinators of an organisation department (failure, overdue)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30)
    message = models.CharField(max_length=300)
    letter = models.ForeignKey(
        "integrations.InquiryLetter", null=True, blank=True, on_delete=models.CASCADE
    )
    inquiry = models.ForeignKey(Inquiry, null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("协调员提醒")
        verbose_name_plural = _("协调员提醒")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "inquiry"],
                condition=models.Q(inquiry__isnull=False),
                name="one_notice_per_inquiry_kind",
            )
        ]
        indexes = [models.Index(fields=["organisation", "read_at"], name="notice_org_unread")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"
