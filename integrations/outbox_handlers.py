"""The outbox handlers of integrations and of the floors below it (casework, documents).

Each handler takes the message's payload (ids) and its Attempt, calls one service, and
returns when the work is done; raising means "not done" (the outbox retries it with backoff,
and marks it failed after the last attempt). Workflows registers its own kinds
(workflows.hooks)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.utils.translation import gettext as _

from casework.services.branch_contact import BRANCH_NOTICE_DELIVER
from casework.services.detection import DETECTION_CHUNK, detect_lost_contact_chunk
from casework.services.imports import MEMBER_IMPORT_RUN, import_job_execute
from casework.services.ledgers import TRANSFER_CHASE
from casework.services.notifications import (
    NOTIFICATION_EMAIL,
    notification_titles,
    notifications_awaiting_email,
    notifications_mark_emailed,
    user_email,
)
from documents.models import Document
from documents.prevention import transfer_chasers_issue
from documents.services import DOCUMENT_RENDER, document_render
from integrations.email import client as email_client
from integrations.outbox import Attempt, Defer, Retry, handler_register
from integrations.services.broadcast import branch_notice_deliver
from integrations.services.delivery import (
    LETTER_DELIVER,
    DeliveryBusy,
    DeliveryRetry,
    letter_deliver,
)
from integrations.services.reconnect import RECONNECT_LINK_SEND, reconnect_link_send

log = logging.getLogger(__name__)


def letter_deliver_handler(payload: dict[str, Any], attempt: Attempt) -> None:
    """Done only once the letter is settled (sent, delivered, failed, or manual)."""
    try:
        letter_deliver(letter_id=payload["letter_id"], final=attempt.final)
    except DeliveryBusy as exc:
        raise Defer(str(exc), seconds=exc.seconds) from exc
    except DeliveryRetry as exc:
        raise Retry(str(exc)) from exc


def notification_email_handler(payload: dict[str, Any], attempt: Attempt) -> None:
    """One email per user; each user's notifications are marked emailed only after their
    email went out, so a retry sends exactly what is still missing."""
    failed: list[str] = []
    pending = notifications_awaiting_email(notification_ids=payload["notification_ids"])
    for user_id, ids in pending.items():
        address = user_email(user_id=user_id)
        if not address:
            continue  # in-app only
        titles = notification_titles(notification_ids=ids)
        body = _("您有 %(n)d 条新提醒：\n\n%(items)s\n\n请登录联络系统查看。") % {
            "n": len(titles),
            "items": "\n".join(f"· {title}" for title in titles[:20]),
        }
        result = email_client.send_notice(
            to=address,
            subject=str(_("【联络】您有新的提醒")),
            body=body,
            key=f"lianluo-notification-{ids[0]}-{user_id}",
        )
        if result.ok:
            notifications_mark_emailed(notification_ids=ids)
        else:
            failed.append(f"user {user_id}: {result.error}")
    if failed:
        raise Retry("; ".join(failed)[:450])


def document_render_handler(payload: dict[str, Any], attempt: Attempt) -> None:
    try:
        document_render(document_id=payload["document_id"])
    except Document.DoesNotExist:
        log.warning("document %s to render no longer exists", payload["document_id"])


def import_run_handler(payload: dict[str, Any], attempt: Attempt) -> None:
    # A later attempt means an earlier one died or failed mid-way: take over its job.
    import_job_execute(job_id=payload["job_id"], retake=attempt.number > 1)


def detection_chunk_handler(payload: dict[str, Any], attempt: Attempt) -> None:
    detect_lost_contact_chunk(
        org_ids=payload["org_ids"], as_of=dt.date.fromisoformat(payload["as_of"])
    )


def reconnect_link_handler(payload: dict[str, Any], attempt: Attempt) -> None:
    reconnect_link_send(link_id=payload["link_id"])


def branch_notice_handler(payload: dict[str, Any], attempt: Attempt) -> None:
    # A later attempt means an earlier one died mid-way: take over its claimed recipients.
    branch_notice_deliver(notice_id=payload["notice_id"], retake=attempt.number > 1)


def transfer_chase_handler(payload: dict[str, Any], attempt: Attempt) -> None:
    """Chasers for the receipt follow-ups not chased yet (idempotent: each is chased once)."""
    transfer_chasers_issue(as_of=dt.date.fromisoformat(payload["as_of"]))


def register() -> None:
    from django.conf import settings

    handler_register(
        LETTER_DELIVER,
        letter_deliver_handler,
        lease_seconds=settings.LIANLUO_DELIVERY_TIMEOUT_SECONDS,
    )
    handler_register(NOTIFICATION_EMAIL, notification_email_handler)
    handler_register(DOCUMENT_RENDER, document_render_handler)
    handler_register(MEMBER_IMPORT_RUN, import_run_handler, lease_seconds=3600)
    handler_register(DETECTION_CHUNK, detection_chunk_handler, lease_seconds=3600)
    handler_register(RECONNECT_LINK_SEND, reconnect_link_handler)
    handler_register(BRANCH_NOTICE_DELIVER, branch_notice_handler, lease_seconds=3600)
    handler_register(TRANSFER_CHASE, transfer_chase_handler)
