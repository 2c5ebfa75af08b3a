"""Cross-department inquiries (measure 6): request, sign, send, answer, overdue, remind, close.

One inquiry per department per case, each with its own small state machine on
`Inquiry.status` (django-fsm-2, protected). Every service locks the inquiry row (and the
case row where the case changes), writes one audit event and one case-timeline entry.
`actor=None` means a trusted system caller (a delivery channel, a webhook, the timer).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import hooks
from casework.access import has_role_over
from casework.errors import Conflict, DomainError, NotFound, PermissionDenied
from casework.models import (
    Case,
    CaseStatus,
    Department,
    Inquiry,
    InquiryAnswer,
    InquiryStatus,
    Organisation,
    Role,
    RoleAssignment,
)
from casework.services.transitions import Actor, fire, lock_case, record_step
from casework.workdays import add_working_days

INQUIRY_STAFF = (Role.COORDINATOR,)
ANSWER_SOURCES = ("manual", "email", "http", "post", "phone")


def _inquiry_status_label(status: str) -> str:
    try:
        return str(InquiryStatus(status).label)
    except ValueError:
        return status


def _lock_inquiry(inquiry: Inquiry | int) -> Inquiry:
    pk = inquiry.pk if isinstance(inquiry, Inquiry) else inquiry
    try:
        return (
            Inquiry.objects.select_for_update(of=("self",))
            .select_related("case__organisation", "department")
            .get(pk=pk)
        )
    except Inquiry.DoesNotExist as exc:
        raise NotFound(_("协查记录不存在。")) from exc


def _require_coordinator(actor: Actor, case: Case) -> None:
    if actor is not None and not has_role_over(actor, case.organisation, INQUIRY_STAFF):
        raise PermissionDenied(_("只有组织部门协调员可以办理部门协查。"))


def _is_liaison_for(actor: AbstractBaseUser, department_id: int) -> bool:
    return RoleAssignment.objects.filter(
        user_id=actor.pk, role=Role.LIAISON, department_id=department_id, is_active=True
    ).exists()


def _fire_inquiry(inquiry: Inquiry, name: str) -> tuple[str, str]:
    method = getattr(inquiry, name)
    before = inquiry.status
    if method._django_fsm.get_transition(before) is None:
        raise Conflict(
            _("协查当前状态为“%(status)s”，不能执行此操作（可能已被他人处理）。")
            % {"status": _inquiry_status_label(before)},
            code="illegal_transition",
        )
    method()
    return before, inquiry.status


def _step(
    inquiry: Inquiry,
    actor: Actor,
    action: str,
    before: str,
    after: str,
    comment: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    case = inquiry.case
    record_step(
        case=case,
        actor=actor,
        action=action,
        before=case.status,
        after=case.status,
        comment=comment,
        details={
            "inquiry": inquiry.pk,
            "department": inquiry.department_id,
            "inquiry_from": before,
            "inquiry_to": after,
            **(details or {}),
        },
        obj=inquiry,
    )


def inquiry_request(
    *,
    case: Case,
    departments: list[Department],
    actor: Actor,
    due_date: dt.date | None = None,
    sign: bool = False,
) -> list[Inquiry]:
    """Draft one inquiry per department not yet asked; moves the case into the inquiry step.
    With `sign`, the coordinator signs the drafts at once (each signature numbers the
    department's letter, sent after commit)."""
    if not departments:
        raise DomainError(_("请至少选择一个协查部门。"))
    with transaction.atomic():
        case = lock_case(case)
        _require_coordinator(actor, case)
        if case.status not in (CaseStatus.REGISTERED, CaseStatus.OUTREACH, CaseStatus.INQUIRY):
            raise Conflict(_("案件当前环节不能发起部门协查。"), code="illegal_transition")
        paths = dict(
            Organisation.objects.filter(
                pk__in={d.organisation_id for d in departments}
            ).values_list("id", "path")
        )
        for department in departments:
            if not department.is_active:
                raise DomainError(_("协查部门“%(name)s”已停用。") % {"name": department.name})
            if not case.organisation.path.startswith(paths[department.organisation_id]):
                raise DomainError(
                    _("协查部门“%(name)s”不属于本案所在组织的组织部门。")
                    % {"name": department.name}
                )
        asked = set(Inquiry.objects.filter(case=case).values_list("department_id", flat=True))
        wanted = []
        seen: set[int] = set()
        for department in departments:
            if department.pk in asked or department.pk in seen:
                continue
            seen.add(department.pk)
            wanted.append(department)
        actor_id = actor.pk if actor is not None else None
        created = [
            Inquiry(case=case, department=department, due_date=due_date, requested_by_id=actor_id)
            for department in wanted
        ]
        if created:
            Inquiry.objects.bulk_create(created)
            created = list(Inquiry.objects.filter(case=case, department_id__in=seen).order_by("id"))
        before = case.status
        if case.status != CaseStatus.INQUIRY:
            fire(case, "request_inquiries", None)
            case.save(update_fields=["status", "updated_at"])
        record_step(
            case=case,
            actor=actor,
            action="inquiry.request",
            before=before,
            after=case.status,
            details={
                "departments": sorted(seen),
                "skipped": sorted(asked & {d.pk for d in departments}),
            },
        )
        if before != case.status:
            hooks.case_changed.run_now([case.pk], actor)
        if sign:
            created = [
                inquiry_sign(inquiry=inquiry, actor=actor)
                if inquiry.status == InquiryStatus.DRAFT
                else inquiry
                for inquiry in created
            ]
    return created


def inquiry_sign(*, inquiry: Inquiry, actor: Actor) -> Inquiry:
    """The organisation department signs the letter: draft → signed."""
    with transaction.atomic():
        inquiry = _lock_inquiry(inquiry)
        _require_coordinator(actor, inquiry.case)
        before, after = _fire_inquiry(inquiry, "sign")
        inquiry.save(update_fields=["status", "updated_at"])
        _step(inquiry, actor, "inquiry.sign", before, after)
        # The letter (协查函) is numbered in this same transaction by the integrations layer.
        hooks.inquiries_signed.run_now([inquiry.pk], actor)
    return inquiry


def inquiry_mark_sent(*, inquiry: Inquiry, actor: Actor, at: dt.datetime | None = None) -> Inquiry:
    """The letter left (by hand or a channel): signed → sent; due date from answer_days."""
    with transaction.atomic():
        inquiry = _lock_inquiry(inquiry)
        _require_coordinator(actor, inquiry.case)
        before, after = _fire_inquiry(inquiry, "send")
        inquiry.sent_at = at or timezone.now()
        if inquiry.due_date is None:
            inquiry.due_date = add_working_days(
                timezone.localdate(inquiry.sent_at), inquiry.department.answer_days
            )
        inquiry.save(update_fields=["status", "sent_at", "due_date", "updated_at"])
        _step(inquiry, actor, "inquiry.send", before, after, details={"due": inquiry.due_date})
    return inquiry


def _details_json(details: dict[str, Any]) -> str:
    return json.dumps(details, sort_keys=True, ensure_ascii=False, default=str)


def inquiry_record_answer(
    *,
    inquiry: Inquiry,
    actor: Actor,
    answer: str,
    details: dict[str, Any],
    source: str,
) -> Inquiry:
    """Record a department's answer: found / not found / clue.

    Idempotent for an identical repeat (a channel delivering twice); a different second
    answer is a Conflict. `details` (personal data) are stored encrypted as JSON. A `found`
    answer ends the case's wait (`inquiry.locates_member`); a `clue` asks for a follow-up
    task (`inquiry.needs_follow_up`).
    """
    if answer not in InquiryAnswer.values:
        raise DomainError(_("答复结果无效。"), code="invalid_answer")
    if source not in ANSWER_SOURCES:
        raise DomainError(_("答复来源无效。"), code="invalid_source")
    if not isinstance(details, dict):
        raise DomainError(_("答复内容格式无效。"), code="invalid_details")
    payload = _details_json(details)
    with transaction.atomic():
        inquiry = _lock_inquiry(inquiry)
        if actor is not None and not (
            _is_liaison_for(actor, inquiry.department_id)
            or has_role_over(actor, inquiry.case.organisation, INQUIRY_STAFF)
        ):
            raise PermissionDenied(_("您不能答复此协查。"))
        if inquiry.status == InquiryStatus.ANSWERED:
            same = (
                inquiry.answer == answer
                and _details_json(json.loads(inquiry.answer_details or "{}")) == payload
            )
            if same:
                return inquiry
            raise Conflict(_("该协查已有不同的答复，不能重复答复。"), code="already_answered")
        before, after = _fire_inquiry(inquiry, "record_answer")
        inquiry.answer = answer
        inquiry.answer_details = payload
        inquiry.answered_at = timezone.now()
        inquiry.answered_by_id = actor.pk if actor is not None else None
        inquiry.save(
            update_fields=[
                "status",
                "answer",
                "answer_details",
                "answered_at",
                "answered_by",
                "updated_at",
            ]
        )
        _step(
            inquiry,
            actor,
            "inquiry.answer",
            before,
            after,
            details={"answer": answer, "source": source},
        )
        hooks.inquiries_settled.run_on_commit([inquiry.case_id])
    return inquiry


def inquiry_assess_clue(*, inquiry: Inquiry, actor: Actor, confirmed: bool, notes: str) -> Inquiry:
    """The contact officer follows a department's clue (研判线索): confirmed (contact regained,
    the talk comes next) or followed without result (the case goes on waiting / concludes)."""
    from casework.models.cases import BRANCH_STAFF

    if not notes.strip():
        raise DomainError(_("请填写线索核查情况。"), code="notes_required")
    with transaction.atomic():
        case = lock_case(inquiry.case_id)
        inquiry = _lock_inquiry(inquiry)
        if actor is not None and not has_role_over(actor, case.organisation, BRANCH_STAFF):
            raise PermissionDenied(_("只有本支部的联系人或支部书记可以研判线索。"))
        if case.status != CaseStatus.INQUIRY:
            raise Conflict(_("案件当前环节不能研判线索。"), code="illegal_transition")
        if inquiry.answer != InquiryAnswer.CLUE or inquiry.clue_assessed_at is not None:
            raise Conflict(_("该协查没有待研判的线索（可能已由他人研判）。"), code="no_clue")
        inquiry.clue_assessed_at = timezone.now()
        inquiry.clue_confirmed = confirmed
        inquiry.save(update_fields=["clue_assessed_at", "clue_confirmed", "updated_at"])
        inquiry.case = case
        _step(
            inquiry,
            actor,
            "inquiry.assess_clue",
            inquiry.status,
            inquiry.status,
            comment=notes,
            details={"confirmed": confirmed},
        )
    return inquiry


def inquiry_mark_overdue(*, inquiry: Inquiry, as_of: dt.date) -> Inquiry:
    """The timer: the due date passed without an answer (sent/reminded → overdue)."""
    with transaction.atomic():
        inquiry = _lock_inquiry(inquiry)
        if inquiry.due_date is None or inquiry.due_date >= as_of:
            raise DomainError(_("协查尚未超过答复期限。"), code="not_due")
        before, after = _fire_inquiry(inquiry, "mark_overdue")
        inquiry.save(update_fields=["status", "updated_at"])
        _step(inquiry, None, "inquiry.overdue", before, after, details={"as_of": as_of})
    return inquiry


def inquiry_remind(*, inquiry: Inquiry, actor: Actor) -> Inquiry:
    """A reminder letter (催办函) went out: overdue → reminded, with a fresh deadline."""
    with transaction.atomic():
        inquiry = _lock_inquiry(inquiry)
        _require_coordinator(actor, inquiry.case)
        before, after = _fire_inquiry(inquiry, "remind")
        inquiry.reminder_count += 1
        inquiry.due_date = add_working_days(timezone.localdate(), inquiry.department.answer_days)
        inquiry.save(update_fields=["status", "reminder_count", "due_date", "updated_at"])
        _step(
            inquiry,
            actor,
            "inquiry.remind",
            before,
            after,
            details={"reminders": inquiry.reminder_count, "due": inquiry.due_date},
        )
    return inquiry


def inquiry_close_unanswered(*, inquiry: Inquiry, actor: Actor, reason: str) -> Inquiry:
    """Stop waiting for this department; the case may then conclude its search."""
    if not reason.strip():
        raise DomainError(_("请填写结束原因。"), code="reason_required")
    with transaction.atomic():
        inquiry = _lock_inquiry(inquiry)
        _require_coordinator(actor, inquiry.case)
        before, after = _fire_inquiry(inquiry, "close_unanswered")
        inquiry.save(update_fields=["status", "updated_at"])
        _step(inquiry, actor, "inquiry.close_unanswered", before, after, comment=reason)
        hooks.inquiries_settled.run_on_commit([inquiry.case_id])
    return inquiry


__all__ = [
    "inquiry_assess_clue",
    "inquiry_close_unanswered",
    "inquiry_mark_overdue",
    "inquiry_mark_sent",
    "inquiry_record_answer",
    "inquiry_remind",
    "inquiry_request",
    "inquiry_sign",
]
