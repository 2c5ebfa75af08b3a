"""The overdue sweep: mark inquiries past their deadline, send a reminder letter (催办函)
through the department's channel when enabled, and escalate to the coordinators."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.errors import DomainError
from casework.models import Department, Inquiry, InquiryStatus
from integrations import inquiry_port
from integrations.models import CoordinatorNotification, DepartmentChannel, LetterKind
from integrations.services.delivery import letter_create


@dataclass(frozen=True)
class SweepReport:
    marked: int
    reminded: int
    escalated: int


def inquiries_overdue_sweep(*, as_of: dt.date | None = None) -> SweepReport:
    today = as_of or timezone.localdate()
    due = (
        Inquiry.objects.filter(
            status__in=(InquiryStatus.SENT, InquiryStatus.REMINDED), due_date__lt=today
        )
        .select_related("case__organisation", "department__organisation")
        .order_by("pk")
    )
    marked: dict[int, list[Inquiry]] = defaultdict(list)
    for inquiry in due:
        if inquiry_port.mark_overdue(inquiry=inquiry, as_of=today):
            marked[inquiry.department_id].append(inquiry)
    reminded = escalated = 0
    for department_id, inquiries in marked.items():
        department = Department.objects.select_related("organisation").get(pk=department_id)
        channel = DepartmentChannel.objects.filter(department_id=department_id).first()
        for inquiry in inquiries:
            try:
                with transaction.atomic():
                    CoordinatorNotification.objects.create(
                        organisation=department.organisation,
                        kind="inquiry_overdue",
                        inquiry=inquiry,
                        message=f"{department.name}：协查（案件 {inquiry.case_id}）已逾期未答复"
                        f"（期限 {inquiry.due_date:%Y年%m月%d日}）。",
                    )
                escalated += 1
            except IntegrityError:
                pass
        remind = settings.LIANLUO_INQUIRY_AUTO_REMIND and channel and channel.reminders_enabled
        if not remind:
            continue
        try:
            with transaction.atomic():
                due_again = [i for i in inquiries if inquiry_port.remind(inquiry=i, actor=None)]
                if not due_again:
                    continue
                letter_create(
                    department=department,
                    actor=None,
                    kind=LetterKind.REMINDER,
                    inquiries=due_again,
                )
        except DomainError:
            continue  # no letter, no reminder: the escalation above still stands
        reminded += len(due_again)
    return SweepReport(
        marked=sum(map(len, marked.values())), reminded=reminded, escalated=escalated
    )
