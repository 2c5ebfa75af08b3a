"""In-app notifications that are also emailed: which wait for an email, and marking them
emailed. The email itself is an outbox message (NOTIFICATION_EMAIL) that integrations sends,
one email per user, marking a user's notifications emailed only after their send succeeded."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.utils import timezone

from casework.models import Notification

# Outbox kind: {"notification_ids": [...]} (integrations.outbox_handlers sends it).
NOTIFICATION_EMAIL = "notification.email"


def notifications_awaiting_email(*, notification_ids: Sequence[int]) -> dict[int, list[int]]:
    """user id → ids of their notifications among `notification_ids` not emailed yet."""
    by_user: dict[int, list[int]] = defaultdict(list)
    pending = (
        Notification.objects.filter(pk__in=list(notification_ids), emailed_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "user_id")
    )
    for pk, user_id in pending:
        by_user[user_id].append(pk)
    return dict(by_user)


def notification_titles(*, notification_ids: Sequence[int]) -> list[str]:
    return list(
        Notification.objects.filter(pk__in=list(notification_ids))
        .order_by("pk")
        .values_list("title", flat=True)
    )


def user_email(*, user_id: int) -> str:
    """The active user's email address, or "" (they only see the in-app notification)."""
    value = (
        get_user_model()
        .objects.filter(pk=user_id, is_active=True)
        .values_list("email", flat=True)
        .first()
    )
    return str(value or "")


def notifications_mark_emailed(*, notification_ids: Sequence[int]) -> int:
    """Mark these notifications emailed (after the email went out); returns how many."""
    return Notification.objects.filter(
        pk__in=list(notification_ids), emailed_at__isnull=True
    ).update(emailed_at=timezone.now())
