"""The transactional outbox: one row per piece of work that leaves the process (a Celery task,
an email, an HTTP call, an SMS), written in the transaction of the change that causes it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxState(models.TextChoices):
    PENDING = "pending", _("待投递")  # not yet handed to the broker, or waiting to retry
    QUEUED = "queued", _("已入队")  # handed to the broker; republished if no worker claims it
    RUNNING = "running", _("执行中")  # claimed by a worker until `available_at` (the lease)
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")  # every attempt failed; needs a person


OPEN_STATES = (OutboxState.PENDING, OutboxState.QUEUED, OutboxState.RUNNING)


class OutboxMessage(models.Model):
    """`available_at` is the next moment someone must look at the row: when a pending row is
    due, when a queued row is republished, when a running row's lease runs out."""

    kind = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, blank=True)  # ids and codes only, never personal data
    state = models.CharField(
        max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    available_at = models.DateTimeField(default=timezone.now)
    claim = models.UUIDField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("待投递事项")
        verbose_name_plural = _("待投递事项")
        indexes = [
            models.Index(
                fields=["available_at"],
                condition=Q(state__in=["pending", "queued", "running"]),
                name="outbox_open_due",
            ),
            models.Index(fields=["state", "done_at"], name="outbox_state_done"),
        ]

    def __str__(self) -> str:
        return f"outbox {self.pk} {self.kind} ({self.state})"
