"""The overdue sweep marks, reminds through the same channel, and escalates to coordinators."""

from __future__ import annotations

import datetime as dt

from django.conf import settings as django_settings
from django.utils import timezone

from casework.models import Inquiry, InquiryStatus
from integrations.models import CoordinatorNotification, InquiryLetter, LetterKind
from integrations.services.overdue import inquiries_overdue_sweep
from integrations.tasks import inquiries_overdue_task
from tests.integrations.conftest import email_channel, set_channel


def _sent(iw, due):
    Inquiry.objects.filter(pk__in=[i.pk for i in iw.inquiries]).update(
        status=InquiryStatus.SENT, due_date=due
    )


def test_overdue_inquiries_are_reminded_by_email_and_escalated(
    iw, smtp, django_capture_on_commit_callbacks
):
    email_channel(iw.department)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    _sent(iw, yesterday)
    with django_capture_on_commit_callbacks(execute=True):
        report = inquiries_overdue_sweep()
    assert (report.marked, report.reminded, report.escalated) == (2, 2, 2)
    for inquiry in iw.inquiries:
        stored = Inquiry.objects.get(pk=inquiry.pk)
        assert stored.status in (InquiryStatus.OVERDUE, InquiryStatus.REMINDED)
    reminder = InquiryLetter.objects.get(kind=LetterKind.REMINDER)
    assert set(reminder.inquiries.all()) == set(iw.inquiries)
    assert len(smtp.messages) == 1
    assert "催办函" in smtp.messages[0][1]["Subject"]
    assert CoordinatorNotification.objects.filter(kind="inquiry_overdue").count() == 2


def test_a_second_sweep_changes_nothing(iw, smtp, django_capture_on_commit_callbacks):
    email_channel(iw.department)
    _sent(iw, timezone.localdate() - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        inquiries_overdue_sweep()
        report = inquiries_overdue_sweep()
    assert report.marked == 0
    assert InquiryLetter.objects.filter(kind=LetterKind.REMINDER).count() == 1
    assert len(smtp.messages) == 1


def test_reminders_can_be_switched_off_per_department(iw, smtp):
    set_channel(iw.department, "email", email="a@b.cn", reminders_enabled=False)
    _sent(iw, timezone.localdate() - dt.timedelta(days=1))
    report = inquiries_overdue_sweep()
    assert (report.marked, report.reminded, report.escalated) == (2, 0, 2)
    assert not InquiryLetter.objects.exists()


def test_inquiries_not_yet_due_are_left_alone(iw, smtp):
    email_channel(iw.department)
    _sent(iw, timezone.localdate())
    assert inquiries_overdue_task.delay().get() == {"marked": 0, "reminded": 0, "escalated": 0}


def test_the_sweep_is_scheduled():
    entry = django_settings.CELERY_BEAT_SCHEDULE["inquiries-overdue"]
    assert entry["task"] == "integrations.tasks.inquiries_overdue_task"
