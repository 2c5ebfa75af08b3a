"""How each department is reached: its channel and what it can look up."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.fields import EncryptedTextField
from casework.models import Department


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    HTTP = "http", _("接口（HTTP）")
    MANUAL = "manual", _("纸质函件（人工送达）")


class Lookup(models.TextChoices):
    HOUSEHOLD = "household", _("户籍")
    SOCIAL_INSURANCE = "social_insurance", _("社会保险")
    MEDICAL_INSURANCE = "medical_insurance", _("医疗保险")
    STUDENT = "student", _("学籍")
    SUBSISTENCE = "subsistence", _("低保")
    PROPERTY = "property", _("房产")
    BUSINESS = "business", _("经营注册")
    TAX = "tax", _("纳税")


class DepartmentChannel(models.Model):
    department = models.OneToOneField(
        Department, on_delete=models.CASCADE, related_name="channel", verbose_name=_("协查部门")
    )
    kind = models.CharField(
        _("送达方式"), max_length=10, choices=ChannelKind.choices, default=ChannelKind.MANUAL
    )
    email = models.EmailField(_("收件邮箱"), blank=True)
    endpoint_url = models.URLField(_("接口地址"), blank=True)
    hmac_key = EncryptedTextField(_("签名密钥"), blank=True)
    lookups = models.JSONField(_("可查询事项"), default=list, blank=True)
    reminders_enabled = models.BooleanField(_("逾期自动催办"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("部门送达渠道")
        verbose_name_plural = _("部门送达渠道")

    def __str__(self) -> str:
        return f"{self.department} · {self.get_kind_display()}"

    def lookup_labels(self) -> list[str]:
        labels = dict(Lookup.choices)
        return [str(labels[code]) for code in self.lookups if code in labels]
