"""The inquiry transitions integrations calls, from casework.services/selectors.inquiries.

A thin adapter: channel names map to the answer sources casework knows, and the callers that
sweep or batch get a boolean instead of an exception for an inquiry that already moved on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from casework.access import User
from casework.errors import Conflict, DomainError
from casework.models import Inquiry, InquiryStatus
from casework.selectors.inquiries import inquiry_get_for_liaison, inquiry_list_for_liaison
from casework.services.inquiries import (
    inquiry_mark_overdue,
    inquiry_mark_sent,
    inquiry_record_answer,
    inquiry_remind,
)

# Where an answer came in → casework's answer source.
SOURCES = {"webhook": "http", "portal": "manual", "scan": "post"}
Actor = AbstractBaseUser | AnonymousUser | None


def _user(actor: Actor) -> AbstractBaseUser | None:
    """None is the trusted system caller (a channel, the webhook, the timer)."""
    if actor is None or isinstance(actor, AnonymousUser) or not actor.is_authenticated:
        return None
    return actor


def mark_sent(*, inquiry: Inquiry, actor: Actor, at: dt.datetime) -> bool:
    """signed → sent; False when the inquiry was no longer signed (sent by other means)."""
    if inquiry.status != InquiryStatus.SIGNED:
        return False
    try:
        inquiry_mark_sent(inquiry=inquiry, actor=_user(actor), at=at)
    except Conflict:
        return False
    return True


def record_answer(
    *,
    inquiry: Inquiry,
    actor: Actor,
    answer: str,
    details: dict[str, Any],
    source: str,
) -> Inquiry:
    return inquiry_record_answer(
        inquiry=inquiry,
        actor=_user(actor),
        answer=answer,
        details=details,
        source=SOURCES.get(source, source),
    )


def mark_overdue(*, inquiry: Inquiry, as_of: dt.date) -> bool:
    try:
        inquiry_mark_overdue(inquiry=inquiry, as_of=as_of)
    except DomainError:  # not due any more, or answered meanwhile
        return False
    return True


def remind(*, inquiry: Inquiry, actor: Actor) -> bool:
    try:
        inquiry_remind(inquiry=inquiry, actor=_user(actor))
    except DomainError:
        return False
    return True


def list_for_liaison(*, user: User) -> QuerySet[Inquiry]:
    return inquiry_list_for_liaison(user=user).select_related("case__member")


def get_for_liaison(*, user: User, pk: int) -> Inquiry:
    return inquiry_get_for_liaison(user=user, pk=pk)
