"""Talks, disposition proposals, pre-reviews, meeting resolutions, approvers and decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.fields import EncryptedTextField
from casework.models.cases import Case
from casework.models.members import Member


class ProposalKind(models.TextChoices):
    CORRECTION = "correction", _("限期改正")
    PERSUADE = "persuade", _("劝退")
    REMOVE = "remove", _("除名")
    SUSPEND = "suspend", _("停止党籍")
    RESTORE = "restore", _("恢复党籍")
    ANNUL_PROBATION = "annul_probation", _("取消预备党员资格")
    WITHDRAWAL = "withdrawal", _("退党")
    RETURN_TO_NORMAL = "return_to_normal", _("恢复正常管理")


class Ground(models.TextChoices):
    """The six unqualified types (2024), plus the two lost-contact grounds."""

    LOST_CONVICTIONS = "lost_convictions", _("理想信念缺失")
    WAVERING_STANCE = "wavering_stance", _("政治立场动摇")
    WEAK_PURPOSE = "weak_purpose", _("宗旨观念淡薄")
    SLACK_WORK = "slack_work", _("工作消极懈怠")
    LAX_DISCIPLINE = "lax_discipline", _("组织纪律散漫")
    MISCONDUCT = "misconduct", _("道德行为不端")
    LOST_CONTACT = "lost_contact", _("与党组织失去联系")
    SELF_WITHDRAWAL = "self_withdrawal", _("自行脱党")
    ABROAD = "abroad", _("出国（境）定居或学习五年以上")
    OWN_REQUEST = "own_request", _("本人要求")
    OBJECTIVE_CAUSE = "objective_cause", _("客观原因失联")
    REAPPEARED = "reappeared", _("停止党籍期间重新取得联系")


UNQUALIFIED_GROUNDS = (
    Ground.LOST_CONVICTIONS,
    Ground.WAVERING_STANCE,
    Ground.WEAK_PURPOSE,
    Ground.SLACK_WORK,
    Ground.LAX_DISCIPLINE,
    Ground.MISCONDUCT,
)


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("办理中")
    SENT_BACK = "sent_back", _("已退回")
    REJECTED = "rejected", _("未通过")
    REFUSED = "refused", _("不予批准")
    APPROVED = "approved", _("已批准")
    WITHDRAWN = "withdrawn", _("已撤销")


class ServiceMethod(models.TextChoices):
    """How a decision is served (送达) on the member."""

    IN_PERSON = "in_person", _("直接送达本人")
    FAMILY = "family", _("交其家属代收")
    POST = "post", _("邮寄送达")
    PUBLIC_NOTICE = "public_notice", _("公告送达")


class TalkRecord(models.Model):
    """The talk (谈话) held when contact is regained: two full members talk with the member."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="talks")
    talker1 = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    talker2 = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("谈话日期"))
    place = models.CharField(_("谈话地点"), max_length=100, blank=True, db_default="")
    recorder = models.ForeignKey(
        Member,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    content = EncryptedTextField(_("谈话内容"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("谈话记录")
        verbose_name_plural = _("谈话记录")

    def __str__(self) -> str:
        return f"talk {self.case_id} {self.held_on}"


class Proposal(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="proposals")
    kind = models.CharField(_("处置方式"), max_length=20, choices=ProposalKind.choices)
    grounds = models.JSONField(_("处置依据"), default=list, blank=True)
    reasons = models.TextField(_("事实与理由"), blank=True)
    correction_months = models.PositiveSmallIntegerField(_("改正期限（月）"), null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    # The case status the proposal was made in: where a send back from pre-review returns.
    proposed_in = models.CharField(max_length=20, blank=True)
    notified_on = models.DateField(_("告知日期"), null=True, blank=True)
    # how the member was told (a member who cannot be found: by public notice, whose
    # publication period ends on `notified_on`, or through the family or by post)
    notice_how = models.CharField(
        _("告知方式"), max_length=20, choices=ServiceMethod.choices, blank=True, db_default=""
    )
    notice_published_on = models.DateField(_("公告发布日期"), null=True, blank=True)
    defence_until = models.DateField(_("申辩期限"), null=True, blank=True)
    defence_text = EncryptedTextField(_("申辩意见"), blank=True)
    defence_closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("处置提议")
        verbose_name_plural = _("处置提议")
        indexes = [models.Index(fields=["case", "status"], name="proposal_case_status")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class ReviewLevel(models.TextChoices):
    COMMITTEE = "committee", _("审批党委预审")
    DEPARTMENT = "department", _("组织部门预审")


class PreReview(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="pre_reviews")
    level = models.CharField(max_length=20, choices=ReviewLevel.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("预审意见"), blank=True)
    is_current = models.BooleanField(default=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("预审意见")
        verbose_name_plural = _("预审意见")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "level"],
                condition=models.Q(is_current=True),
                name="one_pre_review_per_level",
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.level}"


class MeetingResolution(models.Model):
    """The branch general meeting's vote; quorum and majority computed and stored."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("会议日期"))
    place = models.CharField(_("会议地点"), max_length=100, blank=True, db_default="")
    voting_members = models.PositiveIntegerField(_("有表决权党员数"))
    present = models.PositiveIntegerField(_("到会有表决权党员数"))
    votes_for = models.PositiveIntegerField(_("赞成"))
    votes_against = models.PositiveIntegerField(_("反对"))
    abstentions = models.PositiveIntegerField(_("弃权"))
    passed = models.BooleanField(_("通过"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("支部大会决议")
        verbose_name_plural = _("支部大会决议")

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.held_on}"


class ApproverAssignment(models.Model):
    """Named approvers of a pending approval; added or removed while it is pending."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="approvers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="approver_once_per_proposal")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} → {self.user_id}"


class Decision(models.Model):
    """A disposition approved and in force. The member's status changes with it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="decision")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(_("处置方式"), max_length=20, choices=ProposalKind.choices)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approval_comment = models.TextField(_("审批意见"), blank=True)
    in_force_at = models.DateTimeField()
    member_status_before = models.CharField(max_length=20)
    member_status_after = models.CharField(max_length=20)
    clock_due = models.DateField(null=True, blank=True)
    # 送达: when and how the decision reached the member (a correction period runs from it)
    served_on = models.DateField(_("送达日期"), null=True, blank=True)
    served_how = models.CharField(
        _("送达方式"), max_length=20, choices=ServiceMethod.choices, blank=True, db_default=""
    )

    class Meta:
        verbose_name = _("处置决定")
        verbose_name_plural = _("处置决定")
        indexes = [models.Index(fields=["member", "in_force_at"], name="decision_member_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"
