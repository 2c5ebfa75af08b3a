"""Issuing the documents of prevention work through the documents machinery (facts in
documents.facts.prevention, organs from documents.organs, issued by documents.issuing):

    handover_record_issue(*, handover, actor) -> Document
        The ledger handover record (台账交接记录, measure 2): a record, unnumbered, issued by
        the organisation whose ledgers changed hands, once per handover.

    member_letters_send(*, organisation, actor, sent_on=None) -> MemberLetterRound
        The branch's letter (`member_letter`, its outgoing part) to each of its outgoing
        (mobile or abroad) members, measure 8: one round per branch and day, each letter a
        contact attempt by letter.

    transfer_chasers_issue(*, as_of) -> int
        The chaser (`transfer_chaser`, documents.issuing.transfer_chaser_issue) of every open
        receipt follow-up not chased yet, measure 3; run by the outbox handler of
        TRANSFER_CHASE, which the daily follow-up task writes.

Everything runs in the caller's transaction or its own; the PDFs are rendered after commit.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.access import WRITE_ROLES, User, has_role_over
from casework.audit import audit_record
from casework.errors import Conflict, DomainError, PermissionDenied
from casework.models import (
    FollowUp,
    LedgerHandover,
    MemberLetterRound,
    Organisation,
    RelationTransfer,
)
from casework.selectors.prevention import outgoing_members
from casework.services.education import member_letter_round_record
from casework.services.ledgers import (
    TRANSFER_RECEIPT,
    ledger_handover_record_attach,
    transfer_follow_up_chased,
)
from documents.facts import prevention as facts
from documents.issuing import organisation_document_issue, transfer_chaser_issue
from documents.kinds import DocumentKind
from documents.models import Document
from documents.render import document_language

log = logging.getLogger(__name__)
CHASER_REPLY_DAYS = 15  # the receiving organisation answers a chaser within this many days


def _writer(actor: User, organisation: Organisation) -> AbstractBaseUser:
    """The acting user, when they hold a writing role over the organisation."""
    if not isinstance(actor, AbstractBaseUser) or not has_role_over(
        actor, organisation, WRITE_ROLES
    ):
        raise PermissionDenied(_("您无权以该组织名义办理。"))
    return actor


def handover_record_issue(*, handover: LedgerHandover, actor: User) -> Document:
    """Issue the record of a handover (once; printed and signed by both sides and the
    witness), dated the day of the handover."""
    writer = _writer(actor, handover.organisation)
    with transaction.atomic():
        locked = (
            LedgerHandover.objects.select_for_update(no_key=True, of=("self",))
            .select_related("organisation", "from_user", "to_user", "witness")
            .get(pk=handover.pk)
        )
        if locked.record_document_id is not None:
            raise Conflict(_("该交接已生成交接记录。"), code="record_exists")
        with document_language():
            document = organisation_document_issue(
                kind=DocumentKind.HANDOVER_RECORD,
                organisation=locked.organisation,
                facts=facts.handover_record(locked),
                actor=writer,
                issued_on=locked.handed_over_on,
            )
        ledger_handover_record_attach(handover=locked, document_id=document.pk)
        audit_record(
            actor=writer,
            action="ledger.handover_record",
            obj=locked,
            organisation=locked.organisation,
            after={"document": document.pk},
        )
    return document


def member_letters_send(
    *, organisation: Organisation, actor: User, sent_on: dt.date | None = None
) -> MemberLetterRound:
    """The branch's letter to each of its outgoing members, all in one transaction: the round
    (a conflict on a second round the same day), a contact attempt and a document each."""
    writer = _writer(actor, organisation)
    day = sent_on or timezone.localdate()
    members = list(outgoing_members(organisation).select_related("organisation"))
    with transaction.atomic():
        letter_round = member_letter_round_record(
            organisation=organisation, sent_on=day, members=members, actor=writer
        )
        with document_language():
            contact = facts.branch_contact(organisation)
            documents = [
                organisation_document_issue(
                    kind=DocumentKind.MEMBER_LETTER,
                    organisation=organisation,
                    facts=facts.outgoing_member_letter(member, contact),
                    actor=writer,
                    member=member,
                    issued_on=day,
                )
                for member in members
            ]
        letter_round.document_ids = [document.pk for document in documents]
        letter_round.save(update_fields=["document_ids"])
    return letter_round


def transfer_chasers_issue(*, as_of: dt.date) -> int:
    """A chaser for every open receipt follow-up not chased yet, one transaction each with the
    follow-up locked and re-checked: a rerun or a second worker issues nothing twice. A
    follow-up whose chaser cannot be issued (a fact missing) is logged and left to its
    officer. Returns the chasers issued."""
    pending = list(
        FollowUp.objects.filter(
            kind=TRANSFER_RECEIPT, resolved_at__isnull=True, chased_at__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    issued = 0
    for follow_up_id in pending:
        try:
            with transaction.atomic():
                follow_up = (
                    FollowUp.objects.select_for_update(no_key=True, of=("self",))
                    .select_related("organisation")
                    .filter(pk=follow_up_id, resolved_at__isnull=True, chased_at__isnull=True)
                    .first()
                )
                if follow_up is None:
                    continue
                transfer = RelationTransfer.objects.select_related(
                    "member__organisation", "from_organisation"
                ).get(pk=int(follow_up.object_id))
                document = transfer_chaser_issue(
                    transfer=transfer,
                    actor=None,
                    reply_by=as_of + dt.timedelta(days=CHASER_REPLY_DAYS),
                )
                transfer_follow_up_chased(follow_up=follow_up, document_id=document.pk)
        except DomainError as exc:
            log.warning("follow-up %s: chaser not issued (%s)", follow_up_id, exc.code)
            continue
        issued += 1
    return issued


__all__ = ["handover_record_issue", "member_letters_send", "transfer_chasers_issue"]
