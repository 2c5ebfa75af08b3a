"""Reminder and escalation notices to users (email after commit; no personal data in them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils.translation import gettext as _


def notify_users(*, user_ids: Iterable[int], subject: Any, task_id: int) -> None:
    ids = sorted({i for i in user_ids if i})
    if not ids:
        return

    def send() -> None:
        emails = get_user_model()._default_manager.filter(pk__in=ids).exclude(email="")
        body = _("您有一项失联党员案件任务（编号 %(task)s）需要处理，请登录系统查看。") % {
            "task": task_id
        }
        send_mass_mail([(str(subject), body, None, [u.email]) for u in emails], fail_silently=True)

    transaction.on_commit(send)
