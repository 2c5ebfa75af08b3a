"""A reachable organisation (measure 4): the branch's public contact card and notices sent to
its members. Sending leaves the process: this module writes the notice, its recipients and an
outbox message (BRANCH_NOTICE_DELIVER) in one transaction, and records each result; the
outbox handler (integrations.services.broadcast) sends the messages after commit."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.audit import audit_record
from casework.errors import DomainError, InvalidData
from casework.models import (
    BranchContactCard,
    BranchContactPerson,
    BranchNotice,
    BranchNoticeRecipient,
    DeliveryStatus,
    Member,
    MemberStatus,
    NoticeChannel,
    Organisation,
)
from casework.outbox import outbox_enqueue
from casework.services.ledgers.checks import Actor, actor_id, require_writer

# Outbox kind: {"notice_id": ...}; integrations sends the notice's pending messages.
BRANCH_NOTICE_DELIVER = "branch_notice.deliver"

PUBLIC_PHONE = re.compile(r"^[0-9+][0-9\- ]{5,24}$")
MAX_PEOPLE = 7
MAX_NOTICE_LENGTH = 300  # an SMS-sized text
CODE_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class CardPerson:
    name: str
    duty: str
    phone: str


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))


def _clean_people(people: list[CardPerson]) -> list[CardPerson]:
    errors: dict[str, str] = {}
    cleaned: list[CardPerson] = []
    for index, person in enumerate(people):
        name, duty, phone = person.name.strip(), person.duty.strip(), person.phone.strip()
        if not (name or duty or phone):
            continue
        if not name or not duty:
            errors[f"people.{index}"] = str(_("请填写姓名和职务。"))
        elif not PUBLIC_PHONE.match(phone):
            errors[f"people.{index}"] = str(_("联系电话格式不正确。"))
        cleaned.append(CardPerson(name=name[:50], duty=duty[:50], phone=phone))
    if len(cleaned) > MAX_PEOPLE:
        errors["people"] = str(_("最多公布%(n)d名支部委员。") % {"n": MAX_PEOPLE})
    if errors:
        raise InvalidData(_("支部联系卡填写有误。"), errors=errors)
    return cleaned


def branch_card_save(
    *,
    organisation: Organisation,
    actor: Actor,
    people: list[CardPerson],
    landline: str = "",
    channel_name: str = "",
    channel_url: str = "",
    note: str = "",
    is_published: bool = True,
) -> BranchContactCard:
    """Create or replace the branch's contact card (the phones are the ones the committee
    members agreed to publish)."""
    require_writer(actor, organisation)
    cleaned = _clean_people(people)
    landline = landline.strip()
    if landline and not PUBLIC_PHONE.match(landline):
        raise InvalidData(_("支部联络固定电话格式不正确。"), errors={"landline": ""})
    channel_url = channel_url.strip()
    if channel_url and not channel_url.startswith(("https://", "http://")):
        raise InvalidData(_("平台网址须以 http:// 或 https:// 开头。"), errors={"channel_url": ""})
    if is_published and not cleaned and not landline:
        raise DomainError(
            _("请至少公布一名支部委员的联系电话或支部联络固定电话。"), code="empty_card"
        )
    with transaction.atomic():
        card = (
            BranchContactCard.objects.select_for_update(no_key=True)
            .filter(organisation=organisation)
            .first()
        )
        if card is None:
            try:
                with transaction.atomic():
                    card = BranchContactCard.objects.create(
                        organisation=organisation, public_code=_new_code()
                    )
            except IntegrityError:  # created concurrently
                card = BranchContactCard.objects.select_for_update(no_key=True).get(
                    organisation=organisation
                )
        card.landline = landline
        card.channel_name = channel_name.strip()[:100]
        card.channel_url = channel_url
        card.note = note.strip()[:300]
        card.is_published = is_published
        card.updated_by_id = actor_id(actor)
        card.save()
        card.people.all().delete()
        BranchContactPerson.objects.bulk_create(
            [
                BranchContactPerson(
                    card=card, name=p.name, duty=p.duty, phone=p.phone, position=index
                )
                for index, p in enumerate(cleaned)
            ]
        )
        audit_record(
            actor=actor,
            action="branch_card.save",
            obj=card,
            organisation=organisation,
            after={"people": len(cleaned), "landline": bool(landline), "published": is_published},
        )
    return card


def branch_notice_create(
    *, organisation: Organisation, actor: Actor, title: str, text: str, channel: str
) -> BranchNotice:
    """A notice to every normal member of the organisation's subtree, one recipient row each
    (members without a phone are marked so and not sent). Delivery follows after commit, from
    the outbox message written here."""
    require_writer(actor, organisation)
    title, text = title.strip(), text.strip()
    if channel not in NoticeChannel.values:
        raise DomainError(_("发送渠道无效。"), code="invalid_channel")
    if not title or not text:
        raise DomainError(_("请填写通知标题和内容。"), code="missing_text")
    if len(text) > MAX_NOTICE_LENGTH:
        raise DomainError(
            _("通知内容最多%(n)d个字。") % {"n": MAX_NOTICE_LENGTH}, code="text_too_long"
        )
    members = list(
        Member.objects.filter(
            organisation__path__startswith=organisation.path, status=MemberStatus.NORMAL
        ).values_list("pk", "phone")
    )
    if not members:
        raise DomainError(_("该组织没有可通知的党员。"), code="no_recipients")
    with transaction.atomic():
        notice = BranchNotice.objects.create(
            organisation=organisation,
            title=title[:100],
            text=text,
            channel=channel,
            created_by_id=actor_id(actor),
        )
        BranchNoticeRecipient.objects.bulk_create(
            [
                BranchNoticeRecipient(
                    notice=notice,
                    member_id=pk,
                    status=DeliveryStatus.PENDING if phone else DeliveryStatus.NO_ADDRESS,
                )
                for pk, phone in members
            ],
            batch_size=2000,
        )
        outbox_enqueue(BRANCH_NOTICE_DELIVER, {"notice_id": notice.pk})
        audit_record(
            actor=actor,
            action="notice.create",
            obj=notice,
            organisation=organisation,
            after={"channel": channel, "recipients": len(members)},
        )
    return notice


def notice_recipient_claim(*, recipient_id: int) -> bool:
    """Claim a pending recipient for sending (compare-and-set); False when someone else has."""
    return bool(
        BranchNoticeRecipient.objects.filter(pk=recipient_id, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING, claimed_at=timezone.now()
        )
    )


def notice_claims_release(*, notice_id: int) -> int:
    """Return the claims of a notice left by a sender that died back to pending; returns how
    many. Only the notice's one delivery (an outbox message, leased) calls it, before sending."""
    return BranchNoticeRecipient.objects.filter(
        notice_id=notice_id, status=DeliveryStatus.SENDING
    ).update(status=DeliveryStatus.PENDING, claimed_at=None)


def notice_recipient_result(*, recipient_id: int, ok: bool, provider_id: str = "") -> None:
    """Record the outcome of one message (its contact attempt is logged by the sender)."""
    BranchNoticeRecipient.objects.filter(pk=recipient_id, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.SENT if ok else DeliveryStatus.FAILED,
        provider_id=provider_id[:64],
        sent_at=timezone.now() if ok else None,
    )
