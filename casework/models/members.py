"""The member register (measure 1). Personal data is encrypted; look-ups use blind indexes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.fields import EncryptedTextField
from casework.models.organisations import Organisation


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class MembershipType(models.TextChoices):
    FULL = "full", _("正式党员")
    PROBATIONARY = "probationary", _("预备党员")


class MemberStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    SUSPENDED = "suspended", _("停止党籍")
    REMOVED = "removed", _("除名")
    PERSUADED_OUT = "persuaded_out", _("劝退")
    WITHDREW = "withdrew", _("退党")
    DECEASED = "deceased", _("死亡")
    TRANSFERRED_OUT = "transferred_out", _("已转出")
    PROBATION_ANNULLED = "probation_annulled", _("取消预备党员资格")


class KeyGroup(models.IntegerChoices):
    """The seven key groups at risk (measure 5). Stored as bits of Member.key_groups."""

    MIGRANT = 1, _("外出务工经商党员")
    ELSEWHERE = 2, _("异地居住党员")
    MOBILE_YOUNG = 4, _("流动性强的年轻党员")
    RETIRED_SEPARATED = 8, _("人户分离的离退休党员")
    GRADUATE = 16, _("组织关系保留在高校的毕业生党员")
    RESTRUCTURED = 32, _("破产改制企业党员")
    TALENT_CENTRE = 64, _("挂靠人才服务中心党员")


class Member(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所在党支部"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = EncryptedTextField(_("公民身份号码"))
    id_number_index = models.CharField(max_length=64, unique=True, editable=False)
    occupation = models.CharField(_("工作岗位"), max_length=100, blank=True)
    employer = models.CharField(_("工作单位"), max_length=200, blank=True)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    phone_alt = EncryptedTextField(_("备用电话"), blank=True)
    residence = EncryptedTextField(_("家庭住址"), blank=True)
    membership_type = models.CharField(
        _("人员类别"), max_length=20, choices=MembershipType.choices, default=MembershipType.FULL
    )
    join_date = models.DateField(_("入党日期"), null=True, blank=True)
    status = models.CharField(
        _("党籍状态"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.NORMAL
    )
    last_org_life_date = models.DateField(_("最近参加组织生活日期"), null=True, blank=True)
    dues_paid_until = models.DateField(_("党费交至"), null=True, blank=True)
    last_contact_date = models.DateField(
        _("最近联系日期"),
        null=True,
        blank=True,
        help_text=_("成功联系、组织生活、交纳党费、自助确认中的最近日期"),
    )
    is_mobile = models.BooleanField(_("流动党员"), default=False)
    mobile_certificate_no = models.CharField(_("流动党员活动证号"), max_length=40, blank=True)
    is_abroad = models.BooleanField(_("出国（境）"), default=False)
    file_location = models.CharField(_("档案存放单位"), max_length=200, blank=True)
    key_groups = models.PositiveIntegerField(_("重点群体"), default=0)
    info_confirmed_on = models.DateField(
        _("信息核对日期"),
        null=True,
        blank=True,
        help_text=_("最近一次与党员本人核对基本信息的日期"),
    )
    contact_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("包干联系人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_members",
    )
    # Per personal field, a keyed tag of (imported value, ciphertext stored): a re-import
    # tells an unchanged row without decrypting (casework.member_import_write).
    import_fingerprint = models.CharField(
        max_length=64, blank=True, editable=False, default="", db_default=""
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["organisation_id", "name", "id"]
        indexes = [
            models.Index(fields=["organisation", "status"], name="member_org_status"),
            # Dashboard: members and at-risk per organisation from the index alone.
            models.Index(
                fields=["organisation", "status", "last_contact_date"],
                name="member_org_status_contact",
            ),
            models.Index(fields=["status", "last_contact_date"], name="member_status_contact"),
            models.Index(fields=["contact_officer", "status"], name="member_officer_status"),
        ]

    def __str__(self) -> str:
        return self.name

    def key_group_list(self) -> list[KeyGroup]:
        return [group for group in KeyGroup if self.key_groups & group.value]


class Relative(models.Model):
    """A family member or relative: a route to the member when they cannot be reached."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="relatives")
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(_("关系"), max_length=20)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    address = EncryptedTextField(_("住址"), blank=True)

    class Meta:
        verbose_name = _("家庭成员及亲属")
        verbose_name_plural = _("家庭成员及亲属")

    def __str__(self) -> str:
        return f"{self.name}（{self.relation}）"


class MemberChange(models.Model):
    """One attributed edit of a member record: field → [before, after], personal data masked."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    source = models.CharField(max_length=20, default="ui")
    changes = models.JSONField(default=dict)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.at:%Y-%m-%d %H:%M}"
