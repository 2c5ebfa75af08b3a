"""The organisation tree (materialised path), departments, and roles held by users."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    DEPARTMENT = "department", _("组织部门")
    COMMITTEE = "committee", _("党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")


class Organisation(models.Model):
    """A node of the tree. `path` is '/<id>/<id>/…/' so a subtree is one indexed prefix match."""

    name = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=100, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    code = models.CharField(_("编码"), max_length=40, unique=True)
    doc_code = models.CharField(_("机关代字"), max_length=40, blank=True)
    issuer_name = models.CharField(_("发文机关标志"), max_length=100, blank=True)
    may_approve = models.BooleanField(_("有权审批组织处置"), default=False)
    is_temporary = models.BooleanField(_("临时党支部"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["path"]
        indexes = [
            models.Index(
                fields=["path"], name="org_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_ancestor_of(self, other: Organisation) -> bool:
        return other.path.startswith(self.path)


class DepartmentKind(models.TextChoices):
    PUBLIC_SECURITY = "public_security", _("公安（户籍）")
    SOCIAL_INSURANCE = "social_insurance", _("人社（社保）")
    MEDICAL_INSURANCE = "medical_insurance", _("医保")
    HEALTH = "health", _("卫健")
    EDUCATION = "education", _("教育（学籍）")
    CIVIL_AFFAIRS = "civil_affairs", _("民政（低保）")
    HOUSING = "housing", _("住建（房产）")
    MARKET_REGULATION = "market_regulation", _("市场监管（经营注册）")
    TAX = "tax", _("税务")


class Department(models.Model):
    """A government department that an organisation department asks for clues."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所属组织部门"),
        on_delete=models.PROTECT,
        related_name="departments",
    )
    kind = models.CharField(_("部门类别"), max_length=32, choices=DepartmentKind.choices)
    name = models.CharField(_("部门名称"), max_length=200)
    office = models.CharField(_("承办科室"), max_length=200, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    answer_days = models.PositiveSmallIntegerField(_("答复期限（工作日）"), default=10)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("协查部门")
        verbose_name_plural = _("协查部门")
        ordering = ["organisation_id", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CONTACT_OFFICER = "contact_officer", _("联系人（包干支委）")
    BRANCH_SECRETARY = "branch_secretary", _("支部书记")
    COMMITTEE_APPROVER = "committee_approver", _("党委审批人")
    COORDINATOR = "coordinator", _("组织部门协调员")
    INSPECTOR = "inspector", _("督查员（只读）")
    ADMINISTRATOR = "administrator", _("系统管理员")
    LIAISON = "liaison", _("协查部门联络员")


class RoleAssignment(models.Model):
    """A role a user holds at an organisation; it applies to that organisation's subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所在组织"),
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("协查部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("仅协查部门联络员需要"),
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organisation"], name="role_once_per_org"
            ),
            models.CheckConstraint(
                condition=~models.Q(role="liaison") | models.Q(department__isnull=False),
                name="liaison_has_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"
