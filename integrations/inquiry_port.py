"""The inquiry transitions integrations needs, from casework.services.inquiries.

TEMPORARY fallback: until the cases branch lands casework/services/inquiries.py on main, the
minimal compare-and-set versions below stand in (same signatures, same audit actions), so
delivery and answers can be built and tested. Remove the fallback once the real ones exist.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from casework.audit import audit_record
from casework.errors import Conflict, NotFound
from casework.models import Inquiry, InquiryAnswer, InquiryStatus, Role, RoleAssignment

try:  # pragma: no cover - depends on what is merged
    from casework.services import inquiries as _real  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    _real = None
try:  # pragma: no cover
    from casework.selectors import inquiries as _real_sel  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    _real_sel = None

Actor = AbstractBaseUser | AnonymousUser | None


def _cas(inquiry: Inquiry, old: tuple[str, ...], new: str, **fields: Any) -> None:
    count = Inquiry.objects.filter(pk=inquiry.pk, status__in=old).update(status=new, **fields)
    if count != 1:
        raise Conflict("协查状态已变化，请刷新后重试。", code="inquiry_state")


def mark_sent(*, inquiry: Inquiry, actor: Actor, at: dt.datetime | None = None) -> None:
    if _real is not None:
        _real.inquiry_mark_sent(inquiry=inquiry, actor=actor, at=at)
        return
    with transaction.atomic():
        if inquiry.status != InquiryStatus.SIGNED:
            return
        _cas(inquiry, (InquiryStatus.SIGNED,), InquiryStatus.SENT, sent_at=at or timezone.now())
        audit_record(
            actor=actor, action="inquiry.sent", obj=inquiry, organisation=inquiry.case.organisation
        )


def record_answer(
    *, inquiry: Inquiry, actor: Actor, answer: str, details: dict[str, Any], source: str
) -> Inquiry:
    if _real is not None:
        result: Inquiry = _real.inquiry_record_answer(
            inquiry=inquiry, actor=actor, answer=answer, details=details, source=source
        )
        return result
    if answer not in InquiryAnswer.values:
        raise Conflict("答复结果无效。", code="invalid_answer")
    with transaction.atomic():
        locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
        if locked.status == InquiryStatus.ANSWERED:
            same = locked.answer == answer and json.loads(locked.answer_details or "{}") == details
            if same:
                return locked
            raise Conflict("该协查已答复，不能再次答复不同的结果。", code="already_answered")
        user_id = actor.pk if actor is not None and actor.is_authenticated else None
        _cas(
            locked,
            (InquiryStatus.SENT, InquiryStatus.OVERDUE, InquiryStatus.REMINDED),
            InquiryStatus.ANSWERED,
            answer=answer,
            answered_at=timezone.now(),
            answered_by_id=user_id,
        )
        locked = Inquiry.objects.get(pk=inquiry.pk)
        locked.answer_details = json.dumps(details, ensure_ascii=False, sort_keys=True)
        locked.save(update_fields=["answer_details"])
        audit_record(
            actor=actor,
            action="inquiry.answer",
            obj=locked,
            organisation=locked.case.organisation,
            after={"answer": answer, "source": source},
        )
    return locked


def mark_overdue(*, inquiry: Inquiry, as_of: dt.date) -> bool:
    if _real is not None:
        _real.inquiry_mark_overdue(inquiry=inquiry, as_of=as_of)
        return True
    with transaction.atomic():
        count = Inquiry.objects.filter(
            pk=inquiry.pk, status=InquiryStatus.SENT, due_date__lt=as_of
        ).update(status=InquiryStatus.OVERDUE)
        if count:
            audit_record(
                actor=None,
                action="inquiry.overdue",
                obj=inquiry,
                organisation=inquiry.case.organisation,
            )
    return bool(count)


def remind(*, inquiry: Inquiry, actor: Actor) -> None:
    if _real is not None:
        _real.inquiry_remind(inquiry=inquiry, actor=actor)
        return
    with transaction.atomic():
        _cas(
            inquiry,
            (InquiryStatus.OVERDUE, InquiryStatus.REMINDED),
            InquiryStatus.REMINDED,
            reminder_count=inquiry.reminder_count + 1,
        )
        audit_record(
            actor=actor,
            action="inquiry.remind",
            obj=inquiry,
            organisation=inquiry.case.organisation,
        )


def _liaison_departments(user: Actor) -> list[int]:
    if user is None or not user.is_authenticated:
        return []
    return list(
        RoleAssignment.objects.filter(
            user_id=user.pk, role=Role.LIAISON, is_active=True, department__isnull=False
        ).values_list("department_id", flat=True)
    )


def list_for_liaison(*, user: Actor) -> QuerySet[Inquiry]:
    if _real_sel is not None:
        result: QuerySet[Inquiry] = _real_sel.inquiry_list_for_liaison(user=user)
        return result
    return (
        Inquiry.objects.filter(department_id__in=_liaison_departments(user))
        .exclude(status__in=(InquiryStatus.DRAFT, InquiryStatus.SIGNED))
        .select_related("case__member", "department")
        .order_by("due_date", "pk")
    )


def get_for_liaison(*, user: Actor, pk: int) -> Inquiry:
    if _real_sel is not None:
        result: Inquiry = _real_sel.inquiry_get_for_liaison(user=user, pk=pk)
        return result
    inquiry = list_for_liaison(user=user).filter(pk=pk).first()
    if inquiry is None:
        raise NotFound("协查不存在。")
    return inquiry
