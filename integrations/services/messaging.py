"""Sending a message to a member through a channel adapter; every message is a contact attempt."""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser

from casework.models import Case, ContactChannel, ContactOutcome, Member
from casework.services.ledgers import contact_attempt_record
from integrations.messaging.base import MessageResult, OutboundMessage, backend_for

log = logging.getLogger(__name__)
CHANNELS = {"sms": ContactChannel.SMS, "wechat": ContactChannel.WECHAT}


def member_message_send(
    *,
    member: Member,
    actor: AbstractBaseUser | None,
    template: str,
    text: str,
    params: dict[str, str] | None = None,
    channel: str = "sms",
    case: Case | None = None,
) -> MessageResult:
    """Send now and log the attempt, sent or not. Runs in the worker (an outbox message)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if not member.phone:
        result = MessageResult(ok=False, error="no phone number")
    else:
        message = OutboundMessage(
            to=member.phone, template=template, params=params or {}, text=text
        )
        result = backend_for(channel).send(message)
    if not result.ok:
        log.warning("message %s to member %s failed: %s", template, member.pk, result.error)
    contact_attempt_record(
        member=member,
        actor=actor,
        channel=CHANNELS[channel],
        outcome=ContactOutcome.OTHER,
        notes=f"{template}：{'已发送' if result.ok else '发送失败'}",
        case=case,
    )
    return result
