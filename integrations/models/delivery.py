"""One batch letter per department, and its delivery state through the department's channel."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.models import Department, Inquiry, Organisation
from integrations.models.directory import ChannelKind


class LetterKind(models.TextChoices):
    INQUIRY = "inquiry", _("协助查找函")
    REMINDER = "reminder", _("催办函")


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("发送失败")


DONE_STATES = (DeliveryState.SENT, DeliveryState.DELIVERED)


def new_delivery_key() -> str:
    return f"lianluo-letter-{uuid.uuid4().hex}"


class InquiryLetter(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("发函组织部门")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="letters", verbose_name=_("协查部门")
    )
    kind = models.CharField(
        _("函件类型"), max_length=10, choices=LetterKind.choices, default=LetterKind.INQUIRY
    )
    inquiries = models.ManyToManyField(Inquiry, related_name="letters")
    document_id = models.BigIntegerField(_("文书编号（内部）"), null=True, blank=True)
    document_number = models.CharField(_("发文字号"), max_length=60, blank=True)
    channel = models.CharField(_("送达方式"), max_length=10, choices=ChannelKind.choices)
    state = models.CharField(
        _("送达状态"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    # Idempotency key (and Message-ID) of every attempt to send this letter; set at creation.
    delivery_key = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    printed_at = models.DateTimeField(null=True, blank=True)
    reply_scan = models.FileField(_("回函扫描件"), upload_to="letters/replies/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("协查函件")
        verbose_name_plural = _("协查函件")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "channel"], name="letter_state_channel"),
            models.Index(fields=["organisation", "state"], name="letter_org_state"),
        ]

    def __str__(self) -> str:
        return self.document_number or f"letter {self.pk}"

    @property
    def idempotency_key(self) -> str:
        """Stable across retries; letters created before `delivery_key` keep their old key."""
        return self.delivery_key or f"lianluo-letter-{self.pk}"
