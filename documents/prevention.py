"""Documents of prevention work, each with its own small context builder: the ledger handover
record (measure 2), the branch's letters to its outgoing members (`member_letter`, measure 8)
and the chaser letter for an unreturned transfer receipt (`transfer_chaser`, measure 3).

Each is issued through documents.services.document_issue inside the caller's transaction,
numbered by the nearest organisation at or above the branch with a 机关代字. The branch's
staff act; when they hold no role at that issuing committee the document is issued by the
system on their behalf (as the case steps do) and our own audit event names them.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.access import WRITE_ROLES, User, has_role_over
from casework.audit import audit_record
from casework.errors import Conflict, DomainError, PermissionDenied
from casework.models import (
    AbroadRecord,
    FollowUp,
    HandoverCheck,
    LedgerHandover,
    LedgerKind,
    Member,
    MemberLetterRound,
    MobileRecord,
    Organisation,
    RelationTransfer,
)
from casework.selectors.prevention import contact_card_for, outgoing_members
from casework.services.cases import organisation_ancestors
from casework.services.education import member_letter_round_record
from casework.services.handover import ledger_handover_record_attach
from documents.kinds import DocumentKind
from documents.models import Document
from documents.render import date_cn, document_language
from documents.services import document_issue

log = logging.getLogger(__name__)
CHASER_ANSWER_DAYS = 15


def issuer_for(organisation: Organisation) -> Organisation:
    """The organisation itself if it has a 机关代字, else its nearest ancestor with one."""
    for candidate in organisation_ancestors(organisation):
        if candidate.doc_code:
            return candidate
    raise DomainError(_("本组织及上级组织均未设置机关代字，无法发文。"), code="no_doc_code")


def _signer(actor: User | None, issuer: Organisation) -> Any:
    return actor if actor is not None and has_role_over(actor, issuer, WRITE_ROLES) else None


def _require_writer(actor: User, organisation: Organisation) -> None:
    if not has_role_over(actor, organisation, WRITE_ROLES):
        raise PermissionDenied(_("您无权以该组织名义办理。"))


def _person(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


# --- the ledger handover record -------------------------------------------------------------------


def handover_context(handover: LedgerHandover) -> dict[str, Any]:
    ledgers = dict(LedgerKind.choices)
    checks = dict(HandoverCheck.choices)
    return {
        "signature": handover.organisation.name,
        "handover": {
            "organisation": handover.organisation.name,
            "date": date_cn(handover.handed_over_on),
            "giver": _person(handover.from_user),
            "receiver": _person(handover.to_user),
            "witness": _person(handover.witness),
            "ledgers": [str(ledgers[kind]) for kind in handover.ledgers if kind in ledgers],
            "items": [line for line in handover.items.splitlines() if line.strip()],
            "checks": [str(checks[check]) for check in handover.checked if check in checks],
            "giver_confirmed": date_cn(handover.from_confirmed_at)
            if handover.from_confirmed_at
            else "",
            "receiver_confirmed": date_cn(handover.to_confirmed_at)
            if handover.to_confirmed_at
            else "",
        },
    }


def handover_record_issue(*, handover: LedgerHandover, actor: User) -> Document:
    """Issue the handover record of a handover (once; printed and signed by both sides)."""
    organisation = handover.organisation
    _require_writer(actor, organisation)
    issuer = issuer_for(organisation)
    with transaction.atomic():
        locked = (
            LedgerHandover.objects.select_for_update(of=("self",))
            .select_related("organisation", "from_user", "to_user", "witness")
            .get(pk=handover.pk)
        )
        if locked.record_document_id is not None:
            raise Conflict(_("该交接已生成交接记录。"), code="record_exists")
        with document_language():
            context = handover_context(locked)
        document = document_issue(
            kind=DocumentKind.HANDOVER_RECORD,
            issuer=issuer,
            context=context,
            actor=_signer(actor, issuer),
        )
        ledger_handover_record_attach(handover=locked, document_id=document.pk)
        audit_record(
            actor=actor,  # type: ignore[arg-type]
            action="ledger.handover_record",
            obj=locked,
            organisation=organisation,
            after={"number": document.number},
        )
    return document


# --- letters to outgoing members ------------------------------------------------------------------


def _away(member: Member) -> dict[str, str]:
    mobile = (
        MobileRecord.objects.filter(member=member, certificate_returned_on__isnull=True)
        .order_by("-start_on")
        .first()
    )
    if mobile is not None:
        return {"place": mobile.destination, "reason": str(_("外出务工经商或居住"))}
    abroad = AbroadRecord.objects.filter(member=member, returned_on__isnull=True).first()
    if abroad is not None:
        return {"place": abroad.destination, "reason": str(_("出国（境）"))}
    return {"place": str(_("外地")), "reason": ""}


def letter_context(
    member: Member, organisation: Organisation, contact: dict[str, str]
) -> dict[str, Any]:
    return {
        "member": {
            "name": member.name,
            "branch": organisation.name,
            "membership_type": member.get_membership_type_display(),
        },
        "outgoing": _away(member),
        "signature": organisation.name,
        **contact,
    }


def _letter_contact(organisation: Organisation, actor: User) -> dict[str, str]:
    card = contact_card_for(organisation)
    people = list(card.people.all()) if card is not None else []
    phone = people[0].phone if people else (card.landline if card is not None else "")
    return {
        "contact_person": people[0].name if people else _person(actor),
        "contact_phone": phone or "—",
        "channel": card.channel_name if card is not None else "",
    }


def member_letters_send(
    *, organisation: Organisation, actor: User, sent_on: dt.date | None = None
) -> MemberLetterRound:
    """The branch's letter to each of its outgoing (mobile or abroad) members: one
    `member_letter` per member, one round per branch and day, each a contact attempt."""
    _require_writer(actor, organisation)
    issuer = issuer_for(organisation)
    day = sent_on or timezone.localdate()
    members = list(outgoing_members(organisation))
    contact = _letter_contact(organisation, actor)
    with transaction.atomic():
        letter_round = member_letter_round_record(
            organisation=organisation,
            sent_on=day,
            members=members,
            actor=actor,  # type: ignore[arg-type]
        )
        with document_language():
            contexts = [(m, letter_context(m, organisation, contact)) for m in members]
        documents = [
            document_issue(
                kind=DocumentKind.MEMBER_LETTER,
                issuer=issuer,
                context=context,
                actor=_signer(actor, issuer),
                member=member,
                issued_on=day,
            )
            for member, context in contexts
        ]
        letter_round.document_ids = [document.pk for document in documents]
        letter_round.save(update_fields=["document_ids"])
    return letter_round


# --- chasing unreturned transfer receipts ---------------------------------------------------------


def chaser_context(transfer: RelationTransfer, as_of: dt.date) -> dict[str, Any]:
    return {
        "addressee": transfer.to_name,
        "member": {"name": transfer.member.name, "branch": transfer.from_organisation.name},
        "sent_date": date_cn(transfer.issued_on),
        "letter_number": transfer.serial,
        "valid_until": date_cn(transfer.valid_until),
        "due_date": date_cn(as_of + dt.timedelta(days=CHASER_ANSWER_DAYS)),
        "signature": transfer.from_organisation.name,
    }


def transfer_chasers_issue(*, as_of: dt.date) -> int:
    """A chaser letter for every open receipt follow-up not chased yet (one transaction each,
    the follow-up locked and re-checked: a rerun or a second worker issues nothing twice)."""
    pending = list(
        FollowUp.objects.filter(
            kind="transfer.receipt", resolved_at__isnull=True, chased_at__isnull=True
        ).values_list("pk", flat=True)
    )
    issued = 0
    for follow_up_id in pending:
        with transaction.atomic():
            follow_up = (
                FollowUp.objects.select_for_update()
                .filter(pk=follow_up_id, resolved_at__isnull=True, chased_at__isnull=True)
                .first()
            )
            if follow_up is None:
                continue
            transfer = RelationTransfer.objects.select_related("member", "from_organisation").get(
                pk=int(follow_up.object_id)
            )
            try:
                issuer = issuer_for(transfer.from_organisation)
            except DomainError:
                log.warning(
                    "follow-up %s: no issuing organisation, chaser not issued", follow_up.pk
                )
                continue
            with document_language():
                context = chaser_context(transfer, as_of)
            document = document_issue(
                kind=DocumentKind.TRANSFER_CHASER,
                issuer=issuer,
                context=context,
                actor=None,
                member=transfer.member,
                issued_on=as_of,
            )
            follow_up.chased_at = timezone.now()
            follow_up.chaser_document_id = document.pk
            follow_up.save(update_fields=["chased_at", "chaser_document_id"])
            audit_record(
                actor=None,
                action="transfer.chase",
                obj=transfer,
                organisation=transfer.from_organisation,
                after={"number": document.number, "follow_up": follow_up.pk},
            )
            issued += 1
    return issued
