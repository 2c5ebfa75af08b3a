"""What the case page shows, read in a fixed number of queries: the member summary with
personal data masked, and the full history merged from steps and contact attempts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from casework.models import (
    ApproverAssignment,
    Case,
    CaseStatus,
    ContactAttempt,
    Inquiry,
    Member,
    RoleAssignment,
    TimelineEntry,
)
from casework.validation import mask_address, mask_id_number, mask_phone

ACTION_LABELS: dict[str, Any] = {
    "case.open": _("登记失联案件"),
    "case.start_outreach": _("开始联系查找"),
    "case.finish_outreach": _("联系查找完毕，提请部门协查"),
    "case.mark_located": _("已找到，谈话记录"),
    "case.mark_not_located": _("认定查找未果"),
    "case.assess_cause": _("失联原因认定"),
    "case.propose": _("支委会提出处置意见"),
    "case.pre_review": _("预审"),
    "case.notify_member": _("告知本人"),
    "case.close_defence": _("申辩结束"),
    "case.record_meeting": _("支部大会表决"),
    "case.add_approver": _("增加审批人"),
    "case.remove_approver": _("移除审批人"),
    "case.approve": _("党委审批通过"),
    "case.refuse": _("不予批准"),
    "case.record_service": _("决定送达"),
    "case.record_persuasion_outcome": _("劝退后情况"),
    "case.close": _("结案"),
    "case.review_correction": _("改正期满复核"),
    "case.expire_suspension": _("停止党籍满两年"),
    "case.apply_for_restoration": _("申请恢复党籍"),
    "case.withdraw": _("撤销案件"),
    "case.send_back": _("退回"),
    "case.file_appeal": _("受理申诉"),
    "case.decide_appeal": _("申诉复查决定"),
    "inquiry.request": _("申请部门协查"),
    "inquiry.sign": _("签发协查函"),
    "inquiry.send": _("发送协查函"),
    "inquiry.answer": _("部门答复"),
    "inquiry.overdue": _("协查逾期"),
    "inquiry.remind": _("催办"),
    "inquiry.close_unanswered": _("协查未答复结束"),
}


@dataclass(frozen=True)
class MemberSummary:
    pk: int
    name: str
    gender: str
    membership_type: str
    status: str
    organisation: str
    key_groups: int
    last_contact_date: dt.date | None
    id_number: str  # masked
    phone: str  # masked
    residence: str  # masked
    employer: str


@dataclass
class HistoryItem:
    at: dt.datetime
    kind: str  # "step", "attempt", "document"
    title: str
    actor: str = ""
    comment: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def member_summary(member: Member) -> MemberSummary:
    """The member as the case page shows them: personal data masked (reveal is audited
    and lives on the member page)."""
    return MemberSummary(
        pk=member.pk,
        name=member.name,
        gender=member.get_gender_display(),
        membership_type=member.get_membership_type_display(),
        status=member.get_status_display(),
        organisation=member.organisation.name,
        key_groups=member.key_groups,
        last_contact_date=member.last_contact_date,
        id_number=mask_id_number(member.id_number or ""),
        phone=mask_phone(member.phone or "") if member.phone else "",
        residence=mask_address(member.residence or "") if member.residence else "",
        employer=member.employer,
    )


def _user_label(user: Any) -> str:
    if user is None:
        return str(_("系统"))
    return str(user.get_full_name() or user.get_username())


def case_history(*, case: Case) -> list[HistoryItem]:
    """Steps (with inquiries, answers and comments) and contact attempts, oldest first.
    Two queries; the rows are one case's own history, never a list of cases."""
    items = [
        HistoryItem(
            at=entry.at,
            kind="step",
            title=str(ACTION_LABELS.get(entry.action, entry.action)),
            actor=_user_label(entry.actor),
            comment=entry.comment,
            extra={
                "action": entry.action,
                "from": entry.from_status,
                "to": entry.to_status,
                "from_label": _status_label(entry.from_status),
                "to_label": _status_label(entry.to_status),
                "answer": entry.details.get("answer", "") if entry.details else "",
            },
        )
        for entry in TimelineEntry.objects.filter(case_id=case.pk)
        .select_related("actor")
        .order_by("at", "id")
    ]
    items += [
        HistoryItem(
            at=attempt.at,
            kind="attempt",
            title=str(_("联系：%(channel)s — %(outcome)s"))
            % {
                "channel": attempt.get_channel_display(),
                "outcome": attempt.get_outcome_display(),
            },
            actor=_user_label(attempt.recorded_by),
            comment=attempt.notes,
        )
        for attempt in ContactAttempt.objects.filter(case_id=case.pk).select_related("recorded_by")
    ]
    items.sort(key=lambda item: item.at)
    return items


def _status_label(status: str) -> str:
    try:
        return str(CaseStatus(status).label) if status else ""
    except ValueError:
        return status


def case_inquiries(*, case: Case) -> QuerySet[Inquiry]:
    return Inquiry.objects.filter(case_id=case.pk).select_related("department").order_by("id")


@dataclass
class ApproverPanel:
    """The pending approval's named approvers and who else could be named."""

    organisation: str
    named: list[Any]
    candidates: list[Any]

    def person(self, pk: int | None) -> Any | None:
        """The named approver or candidate with this user id (None for anyone else)."""
        return next((u for u in self.named + self.candidates if u.pk == pk), None)


def approver_panel(*, case: Case) -> ApproverPanel | None:
    """For a case awaiting approval: the named approvers (only they decide once any is named)
    and the holders of the approving role at the approving organisation. Three queries."""
    from casework.seats import approval_seat

    if case.status != CaseStatus.APPROVAL or case.current_proposal_id is None:
        return None
    role, org = approval_seat(case)
    named_ids = set(
        ApproverAssignment.objects.filter(
            proposal_id=case.current_proposal_id or 0, is_active=True
        ).values_list("user_id", flat=True)
    )
    holders = {
        a.user.pk: a.user
        for a in RoleAssignment.objects.filter(organisation=org, role=role)
        .select_related("user")
        .order_by("user__username")
    }
    return ApproverPanel(
        organisation=org.name,
        named=[u for pk, u in holders.items() if pk in named_ids],
        candidates=[u for pk, u in holders.items() if pk not in named_ids],
    )
