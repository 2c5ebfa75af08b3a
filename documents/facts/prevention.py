"""Facts of prevention documents, which belong to an organisation's ledgers, not to a case: the
ledger handover record (measure 2) and the branch's letter to an outgoing member (measure 8).

Like the case builders, each returns the kind-specific part of the context (title and every
fact its text prints) and raises MissingFact for a fact the text needs and the records lack;
the issuer comes from documents.organs (`organs_for_organisation`: the branch itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from casework.models import (
    AbroadRecord,
    HandoverCheck,
    LedgerHandover,
    LedgerKind,
    Member,
    MobileRecord,
    Organisation,
)
from casework.selectors.prevention import contact_card_for
from documents.facts.records import UNRECORDED, cn_date, member_facts, need, user_name
from documents.models import issuer_profile

HANDOVER_LABEL = "台账交接记录"
LETTER_LABEL = "致外出党员的信"


def handover_record(handover: LedgerHandover) -> dict[str, Any]:
    """Who handed which ledgers to whom, what both checked, who witnessed, who confirmed."""
    ledgers = dict(LedgerKind.choices)
    checks = dict(HandoverCheck.choices)
    kinds = [str(ledgers[kind]) for kind in handover.ledgers if kind in ledgers]
    items = [line.strip() for line in handover.items.splitlines() if line.strip()]
    need(kinds or items, "移交台账或交接清单", HANDOVER_LABEL)
    return {
        "title": "党员管理台账交接记录",
        "handover": {
            "organisation": handover.organisation.name,
            "date": cn_date(handover.handed_over_on),
            "giver": need(user_name(handover.from_user), "移交人", HANDOVER_LABEL),
            "receiver": need(user_name(handover.to_user), "接收人", HANDOVER_LABEL),
            "witness": user_name(handover.witness) or UNRECORDED,
            "ledgers": kinds,
            "items": items,
            "checks": [str(checks[check]) for check in handover.checked if check in checks],
            "giver_confirmed": cn_date(handover.from_confirmed_at),
            "receiver_confirmed": cn_date(handover.to_confirmed_at),
        },
    }


@dataclass(frozen=True)
class BranchContact:
    """Whom an outgoing member calls: a committee member on the branch's contact card, else
    the contact of the branch's issuer profile; the card's online channel if it has one."""

    person: str
    phone: str
    channel: str


def branch_contact(organisation: Organisation) -> BranchContact:
    card = contact_card_for(organisation)
    people = [p for p in card.people.all() if p.phone] if card is not None else []
    channel = card.channel_name if card is not None else ""
    if people:
        return BranchContact(person=people[0].name, phone=people[0].phone, channel=channel)
    profile = issuer_profile(organisation)
    return BranchContact(
        person=need(profile and profile.contact_person, "党支部联系人", LETTER_LABEL),
        phone=need(profile and profile.contact_phone, "党支部联系电话", LETTER_LABEL),
        channel=channel,
    )


def _away(member: Member) -> dict[str, str]:
    """Where the member is and why ("目前外出在…", "目前出国（境）在…"): the open mobile
    record, else the open abroad record, else a member flagged away without a record."""
    mobile = (
        MobileRecord.objects.filter(member=member, certificate_returned_on__isnull=True)
        .order_by("-start_on", "-id")
        .first()
    )
    if mobile is not None:
        return {"place": mobile.destination, "reason": "外出"}
    abroad = (
        AbroadRecord.objects.filter(member=member, returned_on__isnull=True)
        .order_by("-left_on", "-id")
        .first()
    )
    if abroad is not None:
        return {"place": abroad.destination, "reason": "出国（境）"}
    return {"place": "外地", "reason": ""}


def outgoing_member_letter(member: Member, contact: BranchContact) -> dict[str, Any]:
    """The branch's regular letter (信函联系) to a member away from it (the `member_letter`
    kind; the template's `outgoing` part)."""
    return {
        "title": f"致{member.name}同志的一封信",
        "member": member_facts(member),
        "outgoing": _away(member),
        "contact_person": contact.person,
        "contact_phone": contact.phone,
        "channel": contact.channel,
    }


__all__ = ["BranchContact", "branch_contact", "handover_record", "outgoing_member_letter"]
