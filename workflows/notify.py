"""Reminder and escalation notices to users: one outbox message per user (written in the
sweep's transaction), emailed by the worker through integrations' email client. No personal
data in them: they name the task, not the member."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework.outbox import outbox_enqueue
from integrations.email import client as email_client
from integrations.outbox import Attempt, Retry

# Outbox kind: {"user_id": ..., "task_id": ..., "notice": TaskNotice}.
TASK_NOTICE_EMAIL = "task.notice_email"


class TaskNotice(TextChoices):
    DUE_SOON = "due_soon", gettext_lazy("任务即将到期")
    OVERDUE = "overdue", gettext_lazy("任务已逾期")


def notify_users(*, user_ids: Iterable[int], notice: TaskNotice, task_id: int) -> None:
    """Queue one notice email per user (inside the caller's transaction)."""
    for user_id in sorted({i for i in user_ids if i}):
        outbox_enqueue(
            TASK_NOTICE_EMAIL, {"user_id": user_id, "task_id": task_id, "notice": notice.value}
        )


def task_notice_send(payload: dict[str, Any], attempt: Attempt) -> None:
    """Outbox handler: email one notice; a user without an address gets nothing."""
    user = (
        get_user_model()
        ._default_manager.filter(pk=payload["user_id"], is_active=True)
        .exclude(email="")
        .first()
    )
    if user is None:
        return
    body = _("您有一项失联党员案件任务（编号 %(task)s）需要处理，请登录系统查看。") % {
        "task": payload["task_id"]
    }
    result = email_client.send_notice(
        to=str(user.email),
        subject=str(TaskNotice(payload["notice"]).label),
        body=body,
        key=f"lianluo-notice-{attempt.message_id}",
    )
    if not result.ok:
        raise Retry(result.error)
