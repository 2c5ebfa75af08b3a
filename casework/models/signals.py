"""Contact signals (measures 3, 7, 8): attempts to reach a member, and later ledgers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.models.members import Member


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信")
    HOME_VISIT = "home_visit", _("上门走访")
    RELATIVE = "relative", _("亲属")
    NEIGHBOUR = "neighbour", _("邻居")
    EMPLOYER = "employer", _("工作单位")
    LETTER = "letter", _("信函")
    SELF_SERVICE = "self_service", _("自助确认")


class ContactOutcome(models.TextChoices):
    REACHED = "reached", _("联系上")
    NO_ANSWER = "no_answer", _("无人接听")
    WRONG_NUMBER = "wrong_number", _("号码错误")
    REFUSED = "refused", _("拒绝联系")
    OTHER = "other", _("其他")


class ContactAttempt(models.Model):
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="contact_attempts")
    case = models.ForeignKey(
        "casework.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contact_attempts",
    )
    channel = models.CharField(_("联系方式"), max_length=20, choices=ContactChannel.choices)
    outcome = models.CharField(_("联系结果"), max_length=20, choices=ContactOutcome.choices)
    notes = models.TextField(_("情况记录"), blank=True)
    at = models.DateTimeField(_("联系时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("联系记录")
        verbose_name_plural = _("联系记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["member", "at"], name="contact_member_at"),
            models.Index(fields=["case", "at"], name="contact_case_at"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.channel} {self.outcome}"


class AtRiskReminder(models.Model):
    """One reminder to the contact officer per at-risk window of a member.

    A window is identified by the last-contact date the clock counts from (`last_seen`): a new
    contact starts a new window, so the unique constraint means "no daily spam".
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="at_risk_reminders")
    last_seen = models.DateField(_("最近联系日期（计时起点）"))
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("失联预警提醒")
        verbose_name_plural = _("失联预警提醒")
        constraints = [
            models.UniqueConstraint(fields=["member", "last_seen"], name="one_reminder_per_window"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.last_seen}"
