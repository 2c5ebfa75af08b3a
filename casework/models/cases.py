"""The lost-contact case. Its status is a django-fsm-2 field changed only by casework services."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from casework.models.members import Member
from casework.models.organisations import Organisation

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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
OPEN_BEFORE_DECISION = (
    CaseStatus.REGISTERED,
    CaseStatus.OUTREACH,
    CaseStatus.INQUIRY,
    CaseStatus.LOCATED,
    CaseStatus.NOT_LOCATED,
    CaseStatus.PROPOSAL,
    CaseStatus.PRE_REVIEW,
    CaseStatus.DEFENCE,
    CaseStatus.MEETING,
    CaseStatus.APPROVAL,
)
# Steps a reviewer or approver can send back to the step before.
SEND_BACK_FROM = (
    CaseStatus.PRE_REVIEW,
    CaseStatus.DEFENCE,
    CaseStatus.MEETING,
    CaseStatus.APPROVAL,
)


class Cause(models.TextChoices):
    OBJECTIVE = "objective", _("客观原因")
    SUBJECTIVE = "subjective", _("主观原因")
    UNFIT = "unfit", _("不再符合党员条件")
    ASKS_TO_LEAVE = "asks_to_leave", _("本人要求退党")


class ClockKind(models.TextChoices):
    NONE = "", _("无")
    CORRECTION = "correction", _("限期改正期满")
    SUSPENSION = "suspension", _("停止党籍满两年")


class CaseTrack(models.TextChoices):
    """The route a case takes (issue 16): a lost-contact case searches first; the other two
    open at the proposal, each with the one outcome its rule allows."""

    LOST_CONTACT = "lost_contact", _("失联党员处置")
    # 《党章》第九条: reachable, but six consecutive months without good reason without
    # organisational life or without dues → removal (除名) by the branch meeting
    SELF_WITHDRAWAL = "self_withdrawal", _("自行脱党")
    # settled or studying abroad for more than five years (2019 rules) → suspension
    ABROAD = "abroad", _("出国（境）五年以上")


class WithdrawReason(models.TextChoices):
    OPENED_IN_ERROR = "opened_in_error", _("误立案")
    DECEASED = "deceased", _("党员已去世")
    TRANSFERRED_OUT = "transferred_out", _("组织关系已转出")


# ---- transition guards: each carries the message shown when it fails ----------------


def _guard(message: StrOrPromise) -> Callable[[Callable[[Any], bool]], Callable[[Any], bool]]:
    def mark(fn: Callable[[Any], bool]) -> Callable[[Any], bool]:
        fn.message = message  # type: ignore[attr-defined]
        return fn

    return mark


@_guard(_("联系查找尚未达到规定要求（次数、方式，且须包括联系亲属）。"))
def outreach_minimum_met(case: Case) -> bool:
    from casework.caserules import outreach_minimum_met as check

    return check(case)


@_guard(_("尚有部门协查未答复或未结束，不能认定查找未果。"))
def inquiries_settled(case: Case) -> bool:
    from casework.caserules import inquiries_settled as check

    return check(case)


@_guard(_("临时党支部不能作出组织处置决定。"))
def branch_not_temporary(case: Case) -> bool:
    return not case.organisation.is_temporary


@_guard(_("决定生效后的期限尚未结束，不能结案。"))
def no_running_clock(case: Case) -> bool:
    return not case.clock_kind


# ---- transition permissions (the role half; four-eyes is checked by the service) -----


def _role_over(roles: tuple[str, ...]) -> Callable[[Any, Any], bool]:
    def check(case: Case, user: Any) -> bool:
        from casework.access import has_role_over

        return has_role_over(user, case.organisation, roles)

    return check


BRANCH_STAFF = ("contact_officer", "branch_secretary")
SECRETARY = ("branch_secretary",)
REVIEWERS = ("committee_approver", "coordinator")
COORDINATORS = ("coordinator",)
may_work_case = _role_over(BRANCH_STAFF)
may_decide_branch = _role_over(SECRETARY)
may_review = _role_over(REVIEWERS)
may_coordinate = _role_over(COORDINATORS)
may_withdraw = _role_over(("branch_secretary", "committee_approver", "coordinator"))
may_file_appeal = _role_over((*BRANCH_STAFF, *REVIEWERS))


class Circumstance(models.TextChoices):
    MIGRANT = "1", _("外出务工经商")
    RESTRUCTURED = "2", _("企业改制破产")
    GRADUATE = "3", _("毕业生去向不明")
    CHANGED_EMPLOYER = "4", _("工作单位变动")
    ABROAD = "5", _("出国（境）")
    MOVED = "6", _("居住地变动")
    OTHER = "7", _("其他")


class Case(FSMModelMixin, models.Model):
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
    track = models.CharField(
        _("处置类型"),
        max_length=20,
        choices=CaseTrack.choices,
        default=CaseTrack.LOST_CONTACT,
        db_default=CaseTrack.LOST_CONTACT,
    )
    # LIANLUO_POLICY_OVERRIDES in force when the case opened (casework.policy.rules_of_case)
    rule_overrides = models.JSONField(_("立案时的规则调整"), default=dict, blank=True)
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
    outreach_done_at = models.DateTimeField(_("联系查找完成时间"), null=True, blank=True)
    located_at = models.DateTimeField(_("找到时间"), null=True, blank=True)
    cause = models.CharField(_("失联原因认定"), max_length=20, choices=Cause.choices, blank=True)
    suggested_kinds = models.JSONField(_("建议处置方式"), default=list, blank=True)
    current_proposal = models.ForeignKey(
        "casework.Proposal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    clock_kind = models.CharField(
        _("期限类型"), max_length=20, choices=ClockKind.choices, blank=True, default=""
    )
    clock_due = models.DateField(_("期限届满日"), null=True, blank=True)
    outcome = models.CharField(_("结案结果"), max_length=30, blank=True)
    withdraw_reason = models.CharField(
        _("撤销原因"), max_length=20, choices=WithdrawReason.choices, blank=True
    )

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
            # The case list: newest first, walked backwards and stopped after one page.
            models.Index(fields=["-opened_at", "-id"], name="case_opened_desc"),
            models.Index(
                fields=["clock_due"],
                name="case_clock_due",
                condition=~models.Q(clock_kind=""),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.member}"

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    # ---- transitions (called only from casework.services.cases) ----------------------
    # Bodies are empty: the services write the related rows; the decorator owns the state.

    @transition(
        field=status,
        source=CaseStatus.REGISTERED,
        target=CaseStatus.OUTREACH,
        permission=may_work_case,
    )
    def start_outreach(self) -> None:
        pass

    @transition(
        field=status,
        source=CaseStatus.OUTREACH,
        target=CaseStatus.INQUIRY,
        conditions=[outreach_minimum_met],
        permission=may_work_case,
    )
    def finish_outreach(self) -> None:
        pass

    @transition(
        field=status,
        source=[CaseStatus.REGISTERED, CaseStatus.OUTREACH],
        target=CaseStatus.INQUIRY,
        permission=may_coordinate,
    )
    def request_inquiries(self) -> None:
        pass

    @transition(
        field=status,
        source=[
            CaseStatus.REGISTERED,
            CaseStatus.OUTREACH,
            CaseStatus.INQUIRY,
            CaseStatus.NOT_LOCATED,
        ],
        target=CaseStatus.LOCATED,
        permission=may_work_case,
    )
    def mark_located(self) -> None:
        pass

    @transition(
        field=status,
        source=CaseStatus.INQUIRY,
        target=CaseStatus.NOT_LOCATED,
        conditions=[outreach_minimum_met, inquiries_settled],
        permission=may_work_case,
    )
    def mark_not_located(self) -> None:
        pass

    @transition(
        field=status,
        source=CaseStatus.LOCATED,
        target=RETURN_VALUE(CaseStatus.APPROVAL, CaseStatus.PROPOSAL),
        permission=may_work_case,
    )
    def assess_cause(self, *, target: str) -> str:
        return target

    @transition(
        field=status,
        source=[CaseStatus.PROPOSAL, CaseStatus.NOT_LOCATED],
        target=RETURN_VALUE(CaseStatus.PRE_REVIEW, CaseStatus.MEETING),
        conditions=[branch_not_temporary],
        permission=may_work_case,
    )
    def propose(self, *, target: str = CaseStatus.PRE_REVIEW) -> str:
        return target

    @transition(
        field=status,
        source=CaseStatus.PRE_REVIEW,
        target=RETURN_VALUE(CaseStatus.PRE_REVIEW, CaseStatus.DEFENCE, CaseStatus.APPROVAL),
        permission=may_review,
    )
    def pre_review(self, *, target: str) -> str:
        return target

    @transition(
        field=status,
        source=CaseStatus.DEFENCE,
        target=CaseStatus.DEFENCE,
        permission=may_work_case,
    )
    def notify_member(self) -> None:
        pass

    @transition(
        field=status,
        source=CaseStatus.DEFENCE,
        target=CaseStatus.MEETING,
        permission=may_work_case,
    )
    def close_defence(self) -> None:
        pass

    @transition(
        field=status,
        source=CaseStatus.MEETING,
        target=RETURN_VALUE(CaseStatus.APPROVAL, CaseStatus.PROPOSAL, CaseStatus.IN_FORCE),
        conditions=[branch_not_temporary],
        permission=may_decide_branch,
    )
    def record_meeting(self, *, target: str) -> str:
        return target

    @transition(
        field=status,
        source=CaseStatus.APPROVAL,
        target=CaseStatus.APPROVAL,
        permission=may_review,
    )
    def change_approvers(self) -> None:
        pass

    @transition(field=status, source=CaseStatus.APPROVAL, target=CaseStatus.IN_FORCE)
    def approve(self) -> None:
        pass

    @transition(
        field=status,
        source=CaseStatus.APPROVAL,
        target=RETURN_VALUE(CaseStatus.PROPOSAL, CaseStatus.CLOSED, CaseStatus.IN_FORCE),
    )
    def refuse(self, *, target: str) -> str:
        return target

    @transition(
        field=status,
        source=CaseStatus.IN_FORCE,
        target=CaseStatus.CLOSED,
        conditions=[no_running_clock],
        permission=may_work_case,
    )
    def close(self) -> None:
        pass

    @transition(
        field=status,
        source=CaseStatus.IN_FORCE,
        target=RETURN_VALUE(CaseStatus.CLOSED, CaseStatus.PROPOSAL),
        permission=may_work_case,
    )
    def review_correction(self, *, target: str) -> str:
        return target

    @transition(
        field=status,
        source=CaseStatus.IN_FORCE,
        target=CaseStatus.IN_FORCE,
        permission=may_work_case,
    )
    def record_service(self) -> None:
        pass

    @transition(
        field=status,
        source=CaseStatus.IN_FORCE,
        target=RETURN_VALUE(CaseStatus.CLOSED, CaseStatus.PROPOSAL),
        permission=may_work_case,
    )
    def record_persuasion_outcome(self, *, target: str) -> str:
        return target

    @transition(field=status, source=CaseStatus.IN_FORCE, target=CaseStatus.PROPOSAL)
    def expire_suspension(self) -> None:
        pass

    @transition(
        field=status,
        source=CaseStatus.IN_FORCE,
        target=CaseStatus.PROPOSAL,
        permission=may_work_case,
    )
    def apply_for_restoration(self) -> None:
        pass

    @transition(
        field=status,
        source=list(OPEN_BEFORE_DECISION),
        target=CaseStatus.WITHDRAWN,
        permission=may_withdraw,
    )
    def withdraw(self) -> None:
        pass

    @transition(
        field=status,
        source=list(SEND_BACK_FROM),
        target=RETURN_VALUE(
            CaseStatus.LOCATED,
            CaseStatus.NOT_LOCATED,
            CaseStatus.PROPOSAL,
            CaseStatus.PRE_REVIEW,
            CaseStatus.DEFENCE,
            CaseStatus.MEETING,
        ),
        permission=may_review,
    )
    def send_back(self, *, target: str) -> str:
        return target

    # ---- appeals (申诉) against the decision in force: casework.services.cases.appeals ----

    @transition(
        field=status,
        source=[CaseStatus.IN_FORCE, CaseStatus.CLOSED],
        target=RETURN_VALUE(CaseStatus.IN_FORCE, CaseStatus.CLOSED),
        permission=may_file_appeal,
    )
    def file_appeal(self) -> str:
        return str(self.status)  # received: the decision stays in force

    @transition(
        field=status,
        # pending, the decision runs on and so may the case (a restoration, a review …)
        source="*",
        target=RETURN_VALUE(*CaseStatus.values),
        permission=may_review,
    )
    def decide_appeal(self, *, target: str) -> str:
        return target
