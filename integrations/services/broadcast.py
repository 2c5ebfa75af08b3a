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

from casework.models import BranchNotice, BranchNoticeRecipient, DeliveryStatus
from casework.services.branch_contact import (
    notice_claims_release,
    notice_recipient_claim,
    notice_recipient_result,
)
from integrations.services.messaging import member_message_send

log = logging.getLogger(__name__)
TEMPLATE = "branch_notice"


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
