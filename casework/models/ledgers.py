"""Contact signals and ledgers (measures 2, 3, 7, 8): attempts to reach a member, meetings,
roll calls, dues, transfers, mobile and abroad members, the ledger keeper and handovers."""

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


# --- Organisational life (measure 7): meetings with attendance, roll calls -------------------


class MeetingKind(models.TextChoices):
    # 三会一课 (their cadence is the rule set's org_life_cadence_months)
    BRANCH_GENERAL = "branch_general", _("支部党员大会")
    BRANCH_COMMITTEE = "branch_committee", _("支部委员会")
    PARTY_GROUP = "party_group", _("党小组会")
    PARTY_LECTURE = "party_lecture", _("党课")
    # the other basic forms of organisational life (measure 7)
    THEME_DAY = "theme_day", _("主题党日")
    ACTIVITY_DAY = "activity_day", _("党员活动日")
    HEART_TALK = "heart_talk", _("谈心谈话")
    SPIRIT_ANALYSIS = "spirit_analysis", _("党性分析")
    MEMBER_REVIEW = "member_review", _("民主评议党员")
    ORG_LIFE_MEETING = "org_life_meeting", _("组织生活会")
    # holiday-return education of outgoing members (measure 8, 回归教育)
    HOLIDAY_RETURN = "holiday_return", _("节假日回归教育活动")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("出席")
    ABSENT = "absent", _("缺席")
    EXCUSED = "excused", _("请假")


class Meeting(models.Model):
    organisation = models.ForeignKey(
        "casework.Organisation", on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    held_on = models.DateField(_("召开日期"))
    topic = models.CharField(_("主题"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["organisation", "held_on"], name="meeting_org_held")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(_("出席情况"), max_length=10, choices=AttendanceStatus.choices)

    class Meta:
        verbose_name = _("出席记录")
        verbose_name_plural = _("出席记录")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.member_id} {self.status}"


class RollCall(models.Model):
    """A roll call (点名): every member of the branch is called; who cannot be reached is
    followed up by their contact officer at once."""

    organisation = models.ForeignKey(
        "casework.Organisation", on_delete=models.PROTECT, related_name="roll_calls"
    )
    held_on = models.DateField(_("点名日期"))
    note = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("点名")
        verbose_name_plural = _("点名")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.held_on}"


class RollCallEntry(models.Model):
    roll_call = models.ForeignKey(RollCall, on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="roll_call_entries")
    answered = models.BooleanField(_("应答"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["roll_call", "member"], name="roll_call_entry_once"),
        ]

    def __str__(self) -> str:
        return f"{self.roll_call_id}/{self.member_id} {self.answered}"


# --- Dues ------------------------------------------------------------------------------------


class DuesPayment(models.Model):
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_payments")
    paid_on = models.DateField(_("交纳日期"))
    paid_until = models.DateField(_("交至月份"), help_text=_("所交党费截至的月份（取该月1日）"))
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("党费交纳")
        verbose_name_plural = _("党费交纳")
        ordering = ["-paid_on", "-id"]
        indexes = [models.Index(fields=["member", "paid_on"], name="dues_member_paid")]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.paid_until:%Y-%m}"


# --- Relation transfers (measure 2) and follow-ups -------------------------------------------


class RelationTransfer(models.Model):
    """An introduction letter (组织关系介绍信). The sending organisation stays responsible until
    the receipt (回执) returns."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers")
    serial = models.CharField(_("介绍信编号"), max_length=40, unique=True)
    from_organisation = models.ForeignKey(
        "casework.Organisation",
        verbose_name=_("转出组织"),
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    to_organisation = models.ForeignKey(
        "casework.Organisation",
        verbose_name=_("转入组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    to_name = models.CharField(_("转入组织名称"), max_length=200)
    issued_on = models.DateField(_("开具日期"))
    valid_until = models.DateField(_("有效期至"))
    receipt_returned_on = models.DateField(_("回执退回日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("issued_on")),
                name="transfer_valid_after_issue",
            ),
        ]
        indexes = [
            models.Index(
                fields=["from_organisation", "receipt_returned_on", "valid_until"],
                name="transfer_outstanding",
            ),
        ]

    def __str__(self) -> str:
        return self.serial


class FollowUp(models.Model):
    """Something an officer must chase until resolved (an unreturned receipt, a member who did
    not answer the roll call, an overdue mobile-member report)."""

    organisation = models.ForeignKey(
        "casework.Organisation", on_delete=models.PROTECT, related_name="follow_ups"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("类别"), max_length=40)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    title = models.CharField(_("事项"), max_length=200)
    due_on = models.DateField(_("办理期限"))
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # the chaser letter (催办函) issued for it (unreturned receipts): when, and its
    # documents.Document id (documents sit on a higher floor)
    chased_at = models.DateTimeField(_("催办函发出时间"), null=True, blank=True)
    chaser_document_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("跟进事项")
        verbose_name_plural = _("跟进事项")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_type", "object_id"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_follow_up",
            ),
        ]
        indexes = [models.Index(fields=["assignee", "resolved_at"], name="follow_up_assignee")]

    def __str__(self) -> str:
        return self.title


# --- Mobile and abroad members (measure 4) ---------------------------------------------------


class MobileRecord(models.Model):
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="mobile_records")
    certificate_no = models.CharField(_("流动党员活动证号"), max_length=40)
    destination = models.CharField(_("流入地"), max_length=200)
    start_on = models.DateField(_("外出日期"))
    end_on = models.DateField(_("返回日期"), null=True, blank=True)
    report_due_on = models.DateField(_("下次报告期限"))
    last_report_on = models.DateField(_("最近报告日期"), null=True, blank=True)
    expected_months = models.PositiveSmallIntegerField(_("预计外出月数"), null=True, blank=True)
    valid_until = models.DateField(_("活动证有效期至"), null=True, blank=True)
    renewed_on = models.DateField(_("最近换发日期"), null=True, blank=True)
    certificate_returned_on = models.DateField(_("活动证交回日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("流动党员登记")
        verbose_name_plural = _("流动党员登记")
        ordering = ["-start_on", "-id"]

    def __str__(self) -> str:
        return self.certificate_no


class AbroadRecord(models.Model):
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="abroad_records")
    destination = models.CharField(_("前往国家（地区）"), max_length=200)
    purpose = models.CharField(_("事由"), max_length=200, blank=True)
    left_on = models.DateField(_("出境日期"))
    expected_return_on = models.DateField(_("预计回国日期"), null=True, blank=True)
    returned_on = models.DateField(_("回国日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("出国（境）登记")
        verbose_name_plural = _("出国（境）登记")
        ordering = ["-left_on", "-id"]

    def __str__(self) -> str:
        return f"{self.member_id} {self.destination}"


# --- Ledger keeper and handover (measure 8) --------------------------------------------------


class LedgerKeeper(models.Model):
    organisation = models.OneToOneField(
        "casework.Organisation", on_delete=models.PROTECT, related_name="ledger_keeper"
    )
    keeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    since = models.DateField(_("担任日期"))

    class Meta:
        verbose_name = _("台账管理员")
        verbose_name_plural = _("台账管理员")

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.keeper_id}"


class LedgerKind(models.TextChoices):
    """The ledgers a branch keeps (measure 2)."""

    ROSTER = "roster", _("党员花名册")
    INFO_SHEETS = "info_sheets", _("党员基本信息表")
    TRANSFERS = "transfers", _("组织关系接转台账")
    ABROAD = "abroad", _("党员出国出境台账")
    MEETINGS = "meetings", _("组织生活会议记录")
    ACTIVITIES = "activities", _("支部活动台账")
    MOBILE = "mobile", _("流动党员台账")
    DUES = "dues", _("党费收缴台账")


class HandoverCheck(models.TextChoices):
    """What the giver and the receiver checked together before signing."""

    COMPLETE = "complete", _("台账齐全，无缺页")
    UP_TO_DATE = "up_to_date", _("台账已更新至交接日")
    ELECTRONIC = "electronic", _("电子数据已备份并移交")
    OUTSTANDING = "outstanding", _("未办结事项已逐项说明")
    ACCOUNTS = "accounts", _("系统账号及保管钥匙已移交")


class LedgerHandover(models.Model):
    organisation = models.ForeignKey(
        "casework.Organisation", on_delete=models.PROTECT, related_name="ledger_handovers"
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    handed_over_on = models.DateField(_("交接日期"))
    items = models.TextField(_("交接清单"))
    ledgers = models.JSONField(_("移交台账"), default=list, blank=True)  # LedgerKind values
    checked = models.JSONField(_("核对事项"), default=list, blank=True)  # HandoverCheck values
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("监交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_confirmed_at = models.DateTimeField(null=True, blank=True)
    to_confirmed_at = models.DateTimeField(null=True, blank=True)
    # the handover record (documents.Document id; documents sit on a higher floor)
    record_document_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("台账交接记录")
        verbose_name_plural = _("台账交接记录")
        ordering = ["-handed_over_on", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.handed_over_on}"

    @property
    def is_complete(self) -> bool:
        return self.from_confirmed_at is not None and self.to_confirmed_at is not None
