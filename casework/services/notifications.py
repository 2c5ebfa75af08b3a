"""Emailing in-app notifications: one message per user per batch, sent once."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import Notification


def notification_email_send(*, notification_ids: list[int]) -> int:
    """Email the not-yet-emailed notifications among `notification_ids`, grouped per user.

    Personal data never goes into the email: it names how many items wait, not whom. Users
    without an email address only see the in-app notification. Returns the emails sent.
    Idempotent: rows are claimed (emailed_at set) before sending, under a row lock.
    """
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk__in=notification_ids, emailed_at__isnull=True)
            .values_list("pk", "user_id", "title")
        )
        if not pending:
            return 0
        Notification.objects.filter(pk__in=[pk for pk, _, _ in pending]).update(
            emailed_at=timezone.now()
        )
    by_user: dict[int, list[str]] = defaultdict(list)
    for _pk, user_id, title in pending:
        by_user[user_id].append(title)
    emails = dict(
        get_user_model()
        .objects.filter(pk__in=list(by_user), is_active=True)
        .exclude(email="")
        .values_list("pk", "email")
    )
    sent = 0
    for user_id, titles in by_user.items():
        address = emails.get(user_id)
        if not address:
            continue
        body = _("您有 %(n)d 条新提醒：\n\n%(items)s\n\n请登录联络系统查看。") % {
            "n": len(titles),
            "items": "\n".join(f"· {title}" for title in titles[:20]),
        }
        send_mail(
            subject=str(_("【联络】您有新的提醒")),
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )
        sent += 1
    return sent
