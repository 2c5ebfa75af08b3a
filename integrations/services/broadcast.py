"""Branch notices to members (measure 4) through the messaging adapters (SMS, WeChat-style).

`branch_notice_send` writes the notice and its recipients (casework.services.branch_contact)
and queues the delivery after commit; `branch_notice_deliver` sends each pending recipient's
message through `member_message_send`, which logs it as a contact attempt of the member
(`contact_attempt_record`). Each recipient is claimed by compare-and-set before sending, so
two workers never send the same message; a claim left by a dead worker goes back to pending
after CLAIM_TIMEOUT (the beat sweep), i.e. at-least-once delivery.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from casework.models import (
    BranchNotice,
    BranchNoticeRecipient,
    DeliveryStatus,
    Organisation,
)
from casework.services.branch_contact import (
    branch_notice_create,
    notice_recipient_claim,
    notice_recipient_result,
)
from integrations.services.messaging import member_message_send

log = logging.getLogger(__name__)
TEMPLATE = "branch_notice"
CLAIM_TIMEOUT = dt.timedelta(minutes=10)


def branch_notice_send(
    *,
    organisation: Organisation,
    actor: AbstractBaseUser,
    title: str,
    text: str,
    channel: str,
) -> BranchNotice:
    """Write the notice (audited) and deliver it after commit."""
    notice = branch_notice_create(
        organisation=organisation, actor=actor, title=title, text=text, channel=channel
    )
    transaction.on_commit(lambda: _enqueue(notice.pk), robust=True)
    return notice


def _enqueue(notice_id: int) -> None:
    from integrations.tasks import branch_notice_deliver_task

    branch_notice_deliver_task.delay(notice_id)


def branch_notice_deliver(*, notice_id: int) -> dict[str, int]:
    """Send every pending message of the notice; returns counts of this run."""
    notice = BranchNotice.objects.select_related("organisation", "created_by").get(pk=notice_id)
    text = f"【{notice.organisation.name}】{notice.title}：{notice.text}"
    pending = list(
        BranchNoticeRecipient.objects.filter(
            notice=notice, status=DeliveryStatus.PENDING
        ).values_list("pk", flat=True)
    )
    counts = {"sent": 0, "failed": 0}
    for recipient_id in pending:
        if not notice_recipient_claim(recipient_id=recipient_id):
            continue
        recipient = BranchNoticeRecipient.objects.select_related("member__organisation").get(
            pk=recipient_id
        )
        try:
            result = member_message_send(
                member=recipient.member,
                actor=notice.created_by,
                template=TEMPLATE,
                text=text,
                params={"title": notice.title},
                channel=notice.channel,
            )
        except Exception:
            log.exception("notice %s: message to member %s failed", notice.pk, recipient.member_id)
            notice_recipient_result(recipient_id=recipient_id, ok=False)
            counts["failed"] += 1
            continue
        notice_recipient_result(
            recipient_id=recipient_id, ok=result.ok, provider_id=result.provider_id
        )
        counts["sent" if result.ok else "failed"] += 1
    return counts


def branch_notices_sweep() -> int:
    """Return stale claims to pending and queue every notice that still has pending messages
    (older than a minute: a fresh notice is being delivered). Returns the notices queued."""
    now = timezone.now()
    BranchNoticeRecipient.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    ).update(status=DeliveryStatus.PENDING, claimed_at=None)
    notice_ids = list(
        BranchNoticeRecipient.objects.filter(
            status=DeliveryStatus.PENDING,
            notice__created_at__lt=now - dt.timedelta(minutes=1),
        )
        .values_list("notice_id", flat=True)
        .distinct()[:100]
    )
    for notice_id in notice_ids:
        _enqueue(notice_id)
    return len(notice_ids)
