"""Append-only audit events, HMAC-chained per stream (one stream per organisation)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditStream(models.Model):
    """The head of one hash chain; appending locks this row, so streams don't block each other.
    On PostgreSQL a trigger refuses to delete it or to move it backwards (migration 0010)."""

    key = models.CharField(max_length=64, unique=True)
    seq = models.BigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"{self.key}@{self.seq}"


class AuditEvent(models.Model):
    stream = models.CharField(max_length=64)
    seq = models.BigIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField(max_length=32, blank=True)
    organisation = models.ForeignKey(
        "casework.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # The LIANLUO_AUDIT_KEYS key that signed `hash` ("": a plain SHA-256 from before the keys).
    key_id = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="audit_stream_seq"),
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["organisation", "at"], name="audit_org_at"),
        ]

    def __str__(self) -> str:
        return f"{self.stream}#{self.seq} {self.action}"
