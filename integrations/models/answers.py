"""Inbound answers: webhook idempotency receipts and uploaded attachments."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from casework.models import Department, Inquiry


class WebhookReceipt(models.Model):
    """One processed webhook call per (department, idempotency key); replays get its response."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=100)
    body_sha256 = models.CharField(max_length=64)
    inquiry = models.ForeignKey(Inquiry, null=True, on_delete=models.PROTECT, related_name="+")
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department", "key"], name="webhook_key_once"),
        ]

    def __str__(self) -> str:
        return f"{self.department_id}:{self.key}"


class AnswerAttachment(models.Model):
    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="inquiries/answers/")
    original_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name
