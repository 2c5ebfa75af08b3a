"""Issued documents, their per-organisation/kind/year counters.

A Document row is inserted (status pending) in the issuing transaction together with its
number; the bytes are rendered and stored after commit and never change afterwards.
The context (names, ID numbers of the members in a letter) is personal data: it is
stored encrypted and never leaves the document itself.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.fields import EncryptedTextField
from casework.models import Case, Member, Organisation
from documents.kinds import DocumentKind, Series


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("生成中")
    RENDER_FAILED = "render_failed", _("生成失败")
    ISSUED = "issued", _("有效")
    VOIDED = "voided", _("已作废")


class DocumentCounter(models.Model):
    """The last serial used per issuing organisation code + number series + year (locked when
    issuing). Counters from before series existed keep their kind as the series key."""

    doc_code = models.CharField(max_length=40)
    series = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["doc_code", "series", "year"], name="doc_counter_key"),
        ]

    def __str__(self) -> str:
        return f"{self.doc_code} {self.series} {self.year}: {self.last_serial}"


def issuer_profile(organisation: Organisation) -> IssuerProfile | None:
    """The organisation's profile (or None), looked up once per organisation instance."""
    cached: IssuerProfile | Literal[False] | None = organisation.__dict__.get(
        "_issuer_profile", False
    )
    if cached is False and "issuer_profile" in organisation._state.fields_cache:
        cached = organisation._state.fields_cache["issuer_profile"]  # joined (select_related)
        organisation.__dict__["_issuer_profile"] = cached
    if cached is False:
        cached = IssuerProfile.objects.filter(organisation_id=organisation.pk).first()
        organisation.__dict__["_issuer_profile"] = cached
    return cached


class IssuerProfile(models.Model):
    """How one organisation numbers, prints and seals its documents (optional; defaults are
    函/请/报/复/发, the organisation itself as 印发机关, a seal position without an image).
    The seal image is the organisation's own file on its server: never shipped."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("党组织"),
        on_delete=models.CASCADE,
        related_name="issuer_profile",
    )
    letter_suffix = models.CharField(_("函件代字"), max_length=10, default="函")
    request_suffix = models.CharField(_("请示代字"), max_length=10, default="请")
    report_suffix = models.CharField(_("报告代字"), max_length=10, default="报")
    reply_suffix = models.CharField(_("批复代字"), max_length=10, default="复")
    decision_suffix = models.CharField(_("决定代字"), max_length=10, default="发")
    printing_office = models.CharField(
        _("印发机关"), max_length=100, blank=True, help_text=_("留空则为发文机关本身")
    )
    seal_image = models.CharField(
        _("印章图片路径"), max_length=300, blank=True, help_text=_("服务器上的PNG文件路径")
    )
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("发文设置")
        verbose_name_plural = _("发文设置")

    def __str__(self) -> str:
        return str(self.organisation)

    def suffix(self, series: str) -> str:
        return {
            Series.LETTER: self.letter_suffix,
            Series.REQUEST: self.request_suffix,
            Series.REPORT: self.report_suffix,
            Series.REPLY: self.reply_suffix,
            Series.DECISION: self.decision_suffix,
        }[Series(series)]


def _document_path(instance: Document, filename: str) -> str:
    return f"documents/{instance.year}/{instance.verify_code}.pdf"


class Document(models.Model):
    kind = models.CharField(_("文书类型"), max_length=32, choices=DocumentKind.choices)
    issuer = models.ForeignKey(
        Organisation, verbose_name=_("发文机关"), on_delete=models.PROTECT, related_name="+"
    )
    doc_code = models.CharField(_("机关代字"), max_length=40, blank=True)
    series = models.CharField(_("编号系列"), max_length=32, blank=True)
    year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField(_("发文字号"), max_length=80, unique=True, null=True, blank=True)
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
                fields=["doc_code", "series", "year", "serial"], name="document_serial_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="document_status_created"),
        ]

    def __str__(self) -> str:
        return self.number or f"{DocumentKind(self.kind).label} {self.verify_code}"

    @property
    def context(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.context_json or "{}")
        return data
