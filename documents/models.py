"""Issued documents, their per-organisation/kind/year counters.

A Document row is inserted (status pending) in the issuing transaction together with its
number; the bytes are rendered and stored after commit and never change afterwards.
The context (names, ID numbers of the members in a letter) is personal data: it is
stored encrypted and never leaves the document itself.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.fields import EncryptedTextField
from casework.models import Case, Member, Organisation
from documents.kinds import DocumentKind


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("生成中")
    RENDER_FAILED = "render_failed", _("生成失败")
    ISSUED = "issued", _("有效")
    VOIDED = "voided", _("已作废")


class DocumentCounter(models.Model):
    """The last serial used per issuing organisation code + kind + year (locked when issuing)."""

    doc_code = models.CharField(max_length=40)
    kind = models.CharField(max_length=32, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["doc_code", "kind", "year"], name="doc_counter_key"),
        ]

    def __str__(self) -> str:
        return f"{self.doc_code} {self.kind} {self.year}: {self.last_serial}"


def _document_path(instance: Document, filename: str) -> str:
    return f"documents/{instance.year}/{instance.verify_code}.pdf"


class Document(models.Model):
    kind = models.CharField(_("文书类型"), max_length=32, choices=DocumentKind.choices)
    issuer = models.ForeignKey(
        Organisation, verbose_name=_("发文机关"), on_delete=models.PROTECT, related_name="+"
    )
    doc_code = models.CharField(_("机关代字"), max_length=40)
    year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField()
    number = models.CharField(_("发文字号"), max_length=80, unique=True)
    verify_code = models.CharField(_("核验码"), max_length=16, unique=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.PENDING
    )
    issued_on = models.DateField(_("成文日期"))
    context_json = EncryptedTextField(_("内容"))
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    file = models.FileField(upload_to=_document_path, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    size = models.PositiveIntegerField(default=0)
    render_attempts = models.PositiveSmallIntegerField(default=0)
    render_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    rendered_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.TextField(_("作废原因"), blank=True)

    class Meta:
        verbose_name = _("公文")
        verbose_name_plural = _("公文")
        constraints = [
            models.UniqueConstraint(
                fields=["doc_code", "kind", "year", "serial"], name="document_serial_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="document_status_created"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def context(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.context_json or "{}")
        return data
