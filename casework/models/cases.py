"""The lost-contact case. Its status is a django-fsm-2 field changed only by casework services."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from casework.models.members import Member
from casework.models.organisations import Organisation


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    OUTREACH = "outreach", _("联系查找")
    INQUIRY = "inquiry", _("部门协查")
    LOCATED = "located", _("已找到")
    NOT_LOCATED = "not_located", _("查找未果")
    PROPOSAL = "proposal", _("处置提议")
    PRE_REVIEW = "pre_review", _("预审")
    DEFENCE = "defence", _("告知与申辩")
    MEETING = "meeting", _("支部大会表决")
    APPROVAL = "approval", _("党委审批")
    IN_FORCE = "in_force", _("决定生效")
    CLOSED = "closed", _("已结案")
    WITHDRAWN = "withdrawn", _("已撤销")


CLOSED_STATUSES = (CaseStatus.CLOSED, CaseStatus.WITHDRAWN)


class Circumstance(models.TextChoices):
    MIGRANT = "1", _("外出务工经商")
    RESTRUCTURED = "2", _("企业改制破产")
    GRADUATE = "3", _("毕业生去向不明")
    CHANGED_EMPLOYER = "4", _("工作单位变动")
    ABROAD = "5", _("出国（境）")
    MOVED = "6", _("居住地变动")
    OTHER = "7", _("其他")


class Case(models.Model):
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="cases")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="cases",
        help_text=_("立案时党员所在党支部"),
    )
    status = FSMField(
        _("状态"),
        max_length=20,
        choices=CaseStatus.choices,
        default=CaseStatus.REGISTERED,
        protected=True,
    )
    circumstance = models.CharField(
        _("失联情形"), max_length=2, choices=Circumstance.choices, default=Circumstance.OTHER
    )
    rule_set = models.CharField(_("适用规则"), max_length=20)
    evidence = models.JSONField(_("立案依据"), default=dict, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("失联案件")
        verbose_name_plural = _("失联案件")
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=~models.Q(status__in=["closed", "withdrawn"]),
                name="one_open_case_per_member",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"], name="case_org_status"),
            models.Index(fields=["status", "opened_at"], name="case_status_opened"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.member}"

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES
