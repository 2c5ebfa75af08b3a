"""Batch letters per department and their delivery through the department's channel.

A letter is created in the coordinator's transaction (document numbered there) together with
an outbox message (LETTER_DELIVER); sending happens after commit, in the worker. Delivery is a
small state machine on the letter: queued → sending (claimed by compare-and-set, stamped with
`claimed_at`) → sent/delivered, or back to queued with the error (the outbox retries it with
backoff), or failed after the last retry (the coordinator is notified). A `sending` claim
older than LIANLUO_DELIVERY_TIMEOUT_SECONDS belongs to a sender that died: the next attempt
takes it over, with the same Message-ID and idempotency key, so the receiver can drop a copy.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.access import has_role_over
from casework.audit import audit_record
from casework.errors import Conflict, DomainError, NotFound
from casework.models import Department, Inquiry, InquiryStatus, Role
from casework.outbox import outbox_enqueue
from integrations import inquiry_port
from integrations.email import client as email_client
from integrations.http import client as http_client
from integrations.letters import LetterFile, LetterNotReady, letter_backend
from integrations.models import (
    ChannelKind,
    CoordinatorNotification,
    DeliveryState,
    DepartmentChannel,
    InquiryLetter,
    LetterKind,
)
from integrations.models.delivery import DONE_STATES, new_delivery_key

log = logging.getLogger(__name__)
Actor = AbstractBaseUser | AnonymousUser | None
COORDINATING_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR)
# Outbox kind: {"letter_id": ...} (integrations.outbox_handlers runs letter_deliver for it).
LETTER_DELIVER = "letter.deliver"


def delivery_timeout() -> dt.timedelta:
    """How long a `sending` claim may last before it counts as abandoned."""
    return dt.timedelta(seconds=settings.LIANLUO_DELIVERY_TIMEOUT_SECONDS)


class DeliveryRetry(Exception):
    """A transient failure: the outbox retries the letter with backoff."""


class DeliveryBusy(Exception):
    """Another sender holds a fresh claim on the letter; look again once it may be stale."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"letter claimed elsewhere; stale in {seconds:.0f} s")
        self.seconds = seconds


@dataclass(frozen=True)
class DeliveryOutcome:
    state: str
    detail: str = ""


def _channel_for(department: Department) -> DepartmentChannel:
    channel = DepartmentChannel.objects.filter(department=department).first()
    if channel is None:
        raise DomainError(_("该部门尚未配置送达渠道，请先在部门名录中设置。"), code="no_channel")
    return channel


def _enqueue(letter_id: int) -> None:
    """In the caller's transaction: the delivery is an outbox message, sent after commit."""
    outbox_enqueue(LETTER_DELIVER, {"letter_id": letter_id})


def letter_create(
    *,
    department: Department,
    actor: Actor,
    kind: str = LetterKind.INQUIRY,
    inquiries: Sequence[Inquiry] | None = None,
) -> InquiryLetter:
    """One letter for the department's signed inquiries not yet in a letter (or `inquiries`)."""
    if actor is not None and not has_role_over(actor, department.organisation, COORDINATING_ROLES):
        raise NotFound(_("协查部门不存在。"))
    channel = _channel_for(department)
    with transaction.atomic():
        if inquiries is None:
            candidates = (
                Inquiry.objects.select_for_update()
                .filter(department=department, status=InquiryStatus.SIGNED)
                .exclude(letters__kind=LetterKind.INQUIRY)
                .order_by("pk")
            )
            batch = list(candidates)
        else:
            batch = list(
                Inquiry.objects.select_for_update()
                .filter(pk__in=[i.pk for i in inquiries], department=department)
                .order_by("pk")
            )
        if not batch:
            raise Conflict(_("没有待发函的已签发协查。"), code="nothing_to_send")
        ref = letter_backend().issue(
            kind=kind,
            department=department,
            inquiries=batch,
            actor=actor if actor is not None and actor.is_authenticated else None,
        )
        letter = InquiryLetter.objects.create(
            delivery_key=new_delivery_key(),
            organisation=department.organisation,
            department=department,
            kind=kind,
            document_id=ref.id,
            document_number=ref.number,
            channel=channel.kind,
            created_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
        )
        letter.inquiries.set(batch)
        audit_record(
            actor=actor,
            action=f"letter.{kind}.create",
            obj=letter,
            organisation=department.organisation,
            after={
                "department": department.pk,
                "inquiries": [i.pk for i in batch],
                "number": ref.number,
                "channel": channel.kind,
            },
        )
        if channel.kind != ChannelKind.MANUAL:
            _enqueue(letter.pk)
    return letter


def letters_create_for_signed(
    *, departments: Sequence[Department], actor: Actor
) -> list[InquiryLetter]:
    """Batch every department that has signed inquiries waiting (one letter each).

    A department without a channel is skipped with its inquiries left signed; the page says so.
    """
    letters = []
    for department in departments:
        try:
            letters.append(letter_create(department=department, actor=actor))
        except Conflict:
            continue
        except DomainError as exc:
            if exc.code != "no_channel":
                raise
    return letters


def _claim(letter_id: int) -> InquiryLetter | DeliveryOutcome:
    """Compare-and-set queued (or an abandoned `sending`) → sending. Raises DeliveryBusy while
    another sender's claim is fresh."""
    now = timezone.now()
    stale_before = now - delivery_timeout()
    claimable = Q(state=DeliveryState.QUEUED) | Q(
        state=DeliveryState.SENDING, claimed_at__lt=stale_before
    )
    letter = InquiryLetter.objects.filter(pk=letter_id).first()
    if letter is None:
        return DeliveryOutcome("missing")
    if letter.state in DONE_STATES or letter.state == DeliveryState.FAILED:
        return DeliveryOutcome(letter.state, "already settled")
    abandoned = letter.state == DeliveryState.SENDING
    count = InquiryLetter.objects.filter(claimable, pk=letter_id).update(
        state=DeliveryState.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    letter.refresh_from_db()
    if count != 1:
        if letter.state != DeliveryState.SENDING or letter.claimed_at is None:
            return DeliveryOutcome(letter.state, "settled meanwhile")
        raise DeliveryBusy((letter.claimed_at - stale_before).total_seconds() + 1)
    if abandoned:
        log.warning(
            "letter %s: taking over an abandoned send (attempt %s)", letter.pk, letter.attempts
        )
    return letter


def _send(letter: InquiryLetter, file: LetterFile) -> tuple[bool, bool, str, str]:
    """(ok, retryable, error, state on success) through the letter's channel."""
    channel = _channel_for(letter.department)
    title = str(LetterKind(letter.kind).label)
    if letter.channel == ChannelKind.EMAIL:
        result = email_client.send_letter(
            to=channel.email,
            subject=f"{title} {file.number}",
            body=f"{letter.department.name}：\n\n{title}（{file.number}）见附件，请按期答复。\n",
            filename=file.filename,
            pdf=file.pdf,
            idempotency_key=letter.idempotency_key,
        )
        return result.ok, True, result.error, DeliveryState.SENT
    if letter.channel == ChannelKind.HTTP:
        payload = {
            "letter": {"id": letter.pk, "kind": letter.kind, "number": file.number},
            "department": letter.department_id,
            "inquiries": [
                {
                    "id": inquiry.pk,
                    "name": inquiry.case.member.name,
                    "id_number": inquiry.case.member.id_number,
                    "due_date": inquiry.due_date.isoformat() if inquiry.due_date else None,
                }
                for inquiry in letter.inquiries.select_related("case__member").order_by("pk")
            ],
            "filename": file.filename,
            "pdf_base64": base64.b64encode(file.pdf).decode(),
            "answer_url": settings.LIANLUO_PUBLIC_URL.rstrip("/")
            + "/integrations/webhooks/inquiry-answer",
        }
        http = http_client.post_signed(
            url=channel.endpoint_url,
            key=channel.hmac_key,
            payload=payload,
            idempotency_key=letter.idempotency_key,
            department=letter.department_id,
        )
        return http.ok, http.retryable, http.error, DeliveryState.DELIVERED
    return False, False, "manual letters are printed, not sent", DeliveryState.SENT


def _claimed(letter: InquiryLetter) -> Q:
    """This claim of the letter, still held (not taken over by another sender)."""
    return Q(pk=letter.pk, state=DeliveryState.SENDING, claimed_at=letter.claimed_at)


def _fail(letter: InquiryLetter, error: str) -> None:
    with transaction.atomic():
        settled = InquiryLetter.objects.filter(_claimed(letter)).update(
            state=DeliveryState.FAILED, last_error=error[:500], failed_at=timezone.now()
        )
        if not settled:
            log.info("letter %s: claim taken over before it could be failed", letter.pk)
            return
        CoordinatorNotification.objects.create(
            organisation_id=letter.organisation_id,
            kind="letter_failed",
            letter=letter,
            message=f"{letter.department.name}：函件 {letter} 发送失败"
            f"（已尝试 {letter.attempts} 次），请检查送达渠道后重发。",
        )
        audit_record(
            actor=None,
            action="letter.failed",
            obj=letter,
            organisation=letter.organisation,
            after={"attempts": letter.attempts, "error": error[:200]},
        )


def letter_deliver(*, letter_id: int, final: bool = False) -> DeliveryOutcome:
    """One delivery attempt. Raises DeliveryRetry for a transient failure (unless `final`: then
    the letter is failed and the coordinator told), DeliveryBusy while another sender holds a
    fresh claim."""
    claimed = _claim(letter_id)
    if isinstance(claimed, DeliveryOutcome):
        return claimed
    letter = claimed
    if letter.channel == ChannelKind.MANUAL:
        InquiryLetter.objects.filter(_claimed(letter)).update(state=DeliveryState.QUEUED)
        return DeliveryOutcome(DeliveryState.QUEUED, "manual")
    try:
        file = letter_backend().load(document_id=letter.document_id, number=letter.document_number)
    except LetterNotReady:
        if final:
            _fail(letter, "document never rendered")
            return DeliveryOutcome(DeliveryState.FAILED, "document never rendered")
        InquiryLetter.objects.filter(_claimed(letter)).update(
            state=DeliveryState.QUEUED, last_error="document not rendered yet"
        )
        raise DeliveryRetry("document not rendered yet") from None
    ok, retryable, error, done_state = _send(letter, file)
    if ok:
        _mark_done(letter, done_state)
        return DeliveryOutcome(done_state)
    log.warning("letter %s delivery attempt %s failed: %s", letter.pk, letter.attempts, error)
    if final or not retryable:
        _fail(letter, error)
        return DeliveryOutcome(DeliveryState.FAILED, error)
    InquiryLetter.objects.filter(_claimed(letter)).update(
        state=DeliveryState.QUEUED, last_error=error[:500]
    )
    raise DeliveryRetry(error)


def _mark_done(letter: InquiryLetter, state: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        fields: dict[str, object] = {"state": state, "sent_at": now, "last_error": ""}
        if state == DeliveryState.DELIVERED:
            fields["delivered_at"] = now
        if not InquiryLetter.objects.filter(_claimed(letter)).update(**fields):
            log.info("letter %s: another sender recorded the delivery", letter.pk)
            return
        if letter.kind == LetterKind.INQUIRY:
            for inquiry in letter.inquiries.select_related("case__organisation"):
                inquiry_port.mark_sent(inquiry=inquiry, actor=None, at=now)
        audit_record(
            actor=None,
            action="letter.sent",
            obj=letter,
            organisation=letter.organisation,
            after={"state": state, "attempts": letter.attempts, "channel": letter.channel},
        )


def letter_resend(*, letter: InquiryLetter, actor: Actor) -> InquiryLetter:
    """A coordinator sends a failed letter again (after fixing the channel)."""
    if not has_role_over(actor, letter.organisation, COORDINATING_ROLES):  # type: ignore[arg-type]
        raise NotFound(_("函件不存在。"))
    with transaction.atomic():
        count = InquiryLetter.objects.filter(pk=letter.pk, state=DeliveryState.FAILED).update(
            state=DeliveryState.QUEUED, attempts=0, failed_at=None
        )
        if count != 1:
            raise Conflict(_("只有发送失败的函件可以重发。"), code="not_failed")
        channel = _channel_for(letter.department)
        InquiryLetter.objects.filter(pk=letter.pk).update(channel=channel.kind)
        audit_record(
            actor=actor, action="letter.resend", obj=letter, organisation=letter.organisation
        )
        if channel.kind != ChannelKind.MANUAL:
            _enqueue(letter.pk)
    letter.refresh_from_db()
    return letter
