"""Branch notices to members (measure 4) through the messaging adapters (SMS, WeChat-style).

`casework.services.branch_contact.branch_notice_create` writes the notice, its recipients and
an outbox message (BRANCH_NOTICE_DELIVER); the outbox handler calls `branch_notice_deliver`,
which sends each pending recipient's message through `member_message_send` (logged as a
contact attempt of the member, `contact_attempt_record`). Each recipient is claimed by
compare-and-set before sending, so two workers never send the same message. A later attempt of
the outbox message (the earlier one's lease ran out: its worker died) first returns that
worker's claims to pending, i.e. at-least-once delivery.
"""

from __future__ import annotations

import logging

from django.db import transaction

from casework.models import BranchNotice, BranchNoticeRecipient, DeliveryStatus
from casework.services.branch_contact import (
    notice_claims_release,
    notice_recipient_claim,
    notice_recipient_result,
)
from integrations.services.messaging import member_message_send

log = logging.getLogger(__name__)
TEMPLATE = "branch_notice"
CHUNK = 50  # messages per transaction


def branch_notice_deliver(*, notice_id: int, retake: bool = False) -> dict[str, int]:
    """Send every pending message of the notice; returns counts of this run. `retake`: an
    earlier run died mid-way, its claims go back to pending first."""
    if retake:
        notice_claims_release(notice_id=notice_id)
    notice = BranchNotice.objects.select_related("organisation", "created_by").get(pk=notice_id)
    text = f"【{notice.organisation.name}】{notice.title}：{notice.text}"
    pending = list(
        BranchNoticeRecipient.objects.filter(notice=notice, status=DeliveryStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    counts = {"sent": 0, "failed": 0}
    for start in range(0, len(pending), CHUNK):
        # One transaction per chunk, not three commits per message (claim, attempt, result):
        # a notice to a city committee's 300 members took 22-35 s on SQLite, nearly all of
        # it in commits. A worker that dies mid-chunk leaves the chunk pending (at least once).
        with transaction.atomic():
            for recipient_id in pending[start : start + CHUNK]:
                sent = _deliver_one(notice, text, recipient_id)
                if sent is not None:
                    counts["sent" if sent else "failed"] += 1
    return counts


def _deliver_one(notice: BranchNotice, text: str, recipient_id: int) -> bool | None:
    """Claim, send and record one message; None when another worker has claimed it."""
    if not notice_recipient_claim(recipient_id=recipient_id):
        return None
    recipient = BranchNoticeRecipient.objects.select_related("member__organisation").get(
        pk=recipient_id
    )
    try:
        with transaction.atomic():  # a savepoint: a failed send leaves the chunk usable
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
        return False
    notice_recipient_result(recipient_id=recipient_id, ok=result.ok, provider_id=result.provider_id)
    return bool(result.ok)
