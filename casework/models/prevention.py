"""Prevention in daily use (measures 1, 3, 4, 8): the member search index, contact-duty
reminders, pre-departure talks, training, letters to outgoing members, the public branch
contact card and branch notices broadcast to members."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.models.ledgers import MobileRecord
from casework.models.members import Member

# --- finding people (measure 1) ----------------------------------------------------------------


class SearchKeyKind(models.IntegerChoices):
    NAME = 1, "name bigram"
    PINYIN = 2, "pinyin syllable run"
    INITIALS = 3, "pinyin initials run"
    ID_SUFFIX = 4, "last 4-6 ID characters"
    PHONE = 5, "phone number"
    NAME_BIRTH = 6, "name and birth date"


class MemberSearchKey(models.Model):
    """One keyed blind index of a member: HMAC(kind, token) cut to 64 bits (never plaintext).

    Written only by casework.services.search_index (member create/update/import, backfill);
    searched by casework.selectors.search with the same keys, so the register is never
    decrypted to search. PHONE and NAME_BIRTH keys also find likely duplicates.
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    kind = models.PositiveSmallIntegerField(choices=SearchKeyKind.choices)
    key = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["key", "member"], name="search_key_lookup")]

    def __str__(self) -> str:
        return f"{self.member_id}:{self.kind}"


# --- contact duty (measure 3) ------------------------------------------------------------------


class ContactDueReminder(models.Model):
    """One reminder to the contact officer per contact window of a member: the window is the
    last-contact day the cadence counts from, so a new contact opens a new window."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    last_seen = models.DateField(_("最近联系日期（计时起点）"))
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("联系提醒")
        verbose_name_plural = _("联系提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "last_seen"], name="one_contact_reminder_per_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.last_seen}"


# --- mobile members (measure 8) -----------------------------------------------------------------


class DepartureTalk(models.Model):
    """行前谈话: a designated person talks with a member leaving for six months or more."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="departure_talks")
    talked_on = models.DateField(_("谈话日期"))
    talker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("谈话人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    destination = models.CharField(_("外出去向"), max_length=200)
    expected_months = models.PositiveSmallIntegerField(_("预计外出月数"))
    content = models.TextField(_("谈话要点"))
    mobile_record = models.ForeignKey(
        MobileRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="departure_talks",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("行前谈话")
        verbose_name_plural = _("行前谈话")
        ordering = ["-talked_on", "-id"]

    def __str__(self) -> str:
        return f"{self.member_id} {self.talked_on}"


class TrainingKind(models.TextChoices):
    CHARTER = "charter", _("学习党章")
    OATH = "oath", _("重温入党誓词")
    HISTORY = "history", _("党史教育")
    MEMBERSHIP = "membership", _("组织关系接转和党籍管理教育")
    ONLINE = "online", _("网络在线学习")
    OTHER = "other", _("其他教育培训")


class TrainingRecord(models.Model):
    """One member's participation in one education or training session."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="trainings")
    kind = models.CharField(_("培训类别"), max_length=20, choices=TrainingKind.choices)
    topic = models.CharField(_("培训内容"), max_length=200)
    trained_on = models.DateField(_("培训日期"))
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("教育培训记录")
        verbose_name_plural = _("教育培训记录")
        ordering = ["-trained_on", "-id"]
        indexes = [models.Index(fields=["member", "trained_on"], name="training_member_day")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind} {self.trained_on}"


class MemberLetterRound(models.Model):
    """A branch's letters (信函联系) to its outgoing members on one day; the letters are
    `member_letter` documents, one per member."""

    organisation = models.ForeignKey(
        "casework.Organisation", on_delete=models.PROTECT, related_name="letter_rounds"
    )
    sent_on = models.DateField(_("寄发日期"))
    letters = models.PositiveIntegerField(_("信函数"), default=0)
    # the member_letter documents.Document ids (documents sit on a higher floor)
    document_ids = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("党员信函寄发")
        verbose_name_plural = _("党员信函寄发")
        ordering = ["-sent_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sent_on"], name="one_letter_round_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.sent_on}"


# --- reachable organisation (measure 4) ---------------------------------------------------------


class BranchContactCard(models.Model):
    """What a branch publishes so that members can reach it: the committee members' published
    phones, a branch landline and its online channel. Public at /integrations/card/<code>/."""

    organisation = models.OneToOneField(
        "casework.Organisation", on_delete=models.PROTECT, related_name="contact_card"
    )
    public_code = models.CharField(max_length=16, unique=True, editable=False)
    landline = models.CharField(_("支部联络固定电话"), max_length=40, blank=True)
    channel_name = models.CharField(_("网上联络平台"), max_length=100, blank=True)
    channel_url = models.URLField(_("平台网址"), blank=True)
    note = models.CharField(_("联络说明"), max_length=300, blank=True)
    is_published = models.BooleanField(_("对党员公开"), default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("支部联系卡")
        verbose_name_plural = _("支部联系卡")

    def __str__(self) -> str:
        return f"{self.organisation_id}"


class BranchContactPerson(models.Model):
    """A committee member on the card, with the phone they agreed to publish."""

    card = models.ForeignKey(BranchContactCard, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(_("姓名"), max_length=50)
    duty = models.CharField(_("职务"), max_length=50)
    phone = models.CharField(_("公开联系电话"), max_length=40)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.duty} {self.name}"


class NoticeChannel(models.TextChoices):
    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信")


class BranchNotice(models.Model):
    """A branch notice sent to every normal member of the branch (measure 4); each message is
    a contact attempt of its member."""

    organisation = models.ForeignKey(
        "casework.Organisation", on_delete=models.PROTECT, related_name="notices"
    )
    title = models.CharField(_("标题"), max_length=100)
    text = models.TextField(_("内容"))
    channel = models.CharField(_("发送渠道"), max_length=10, choices=NoticeChannel.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("支部通知")
        verbose_name_plural = _("支部通知")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    NO_ADDRESS = "no_address", _("无联系电话")


class BranchNoticeRecipient(models.Model):
    notice = models.ForeignKey(BranchNotice, on_delete=models.CASCADE, related_name="recipients")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    provider_id = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "member"], name="notice_recipient_once")
        ]
        indexes = [models.Index(fields=["status", "notice"], name="notice_recipient_status")]

    def __str__(self) -> str:
        return f"{self.notice_id}/{self.member_id} {self.status}"
