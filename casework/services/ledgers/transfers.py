"""Relation transfers (组织关系介绍信): issue, receipt, and follow-ups on unreturned receipts.

A new follow-up is chased with a letter (`transfer_chaser`): the daily task's transaction
writes an outbox message (TRANSFER_CHASE), whose handler (integrations) issues the chasers
through documents and notes each on its follow-up (`transfer_follow_up_chased`)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.audit import audit_record
from casework.errors import Conflict, DomainError
from casework.models import (
    FollowUp,
    Member,
    MemberStatus,
    Organisation,
    RelationTransfer,
)
from casework.outbox import outbox_enqueue
from casework.policy import add_months, rules_for
from casework.services.ledgers.checks import (
    Actor,
    actor_id,
    not_in_future,
    require_writer,
)

# Follow-up kind of an unreturned receipt; outbox kind {"as_of": "YYYY-MM-DD"}: chase every
# open receipt follow-up not chased yet (integrations.outbox_handlers).
TRANSFER_RECEIPT = "transfer.receipt"
TRANSFER_CHASE = "transfer.chase"


def relation_transfer_issue(
    *,
    member: Member,
    serial: str,
    issued_on: dt.date,
    valid_until: dt.date,
    actor: Actor,
    to_organisation: Organisation | None = None,
    to_name: str = "",
) -> RelationTransfer:
    """Issue an introduction letter from the member's branch. Valid at most the policy's
    months (3); the sending organisation stays responsible until the receipt returns."""
    sender = member.organisation
    require_writer(actor, sender)
    serial = serial.strip()
    if not serial:
        raise DomainError(_("请填写介绍信编号。"), code="missing_serial")
    not_in_future(issued_on, _("开具日期"))
    months = rules_for(issued_on).transfer_letter_valid_months
    if valid_until < issued_on:
        raise DomainError(_("有效期不能早于开具日期。"), code="invalid_validity")
    if valid_until > add_months(issued_on, months):
        raise DomainError(
            _("介绍信有效期不能超过%(months)d个月。") % {"months": months},
            code="validity_too_long",
        )
    if to_organisation is not None and to_organisation.pk == sender.pk:
        raise DomainError(_("转入组织不能与转出组织相同。"), code="same_organisation")
    name = to_name.strip() or (to_organisation.name if to_organisation else "")
    if not name:
        raise DomainError(_("请填写转入组织。"), code="missing_destination")
    if member.status != MemberStatus.NORMAL:
        raise DomainError(_("该党员党籍状态不正常，不能开具介绍信。"), code="member_not_normal")
    try:
        with transaction.atomic():
            transfer = RelationTransfer.objects.create(
                member=member,
                serial=serial,
                from_organisation=sender,
                to_organisation=to_organisation,
                to_name=name,
                issued_on=issued_on,
                valid_until=valid_until,
                recorded_by_id=actor_id(actor),
            )
            audit_record(
                actor=actor,
                action="transfer.issue",
                obj=transfer,
                organisation=sender,
                after={"member": member.pk, "serial": serial, "to": name, "valid": valid_until},
            )
    except IntegrityError as exc:
        raise Conflict(_("介绍信编号已被使用。"), code="duplicate_serial") from exc
    return transfer


def relation_transfer_receipt_record(
    *, transfer: RelationTransfer, returned_on: dt.date, actor: Actor
) -> RelationTransfer:
    """The receipt came back: close the sending organisation's follow-up."""
    require_writer(actor, transfer.from_organisation)
    not_in_future(returned_on, _("回执退回日期"))
    if returned_on < transfer.issued_on:
        raise DomainError(_("回执退回日期不能早于开具日期。"), code="invalid_returned_on")
    with transaction.atomic():
        updated = RelationTransfer.objects.filter(
            pk=transfer.pk, receipt_returned_on__isnull=True
        ).update(receipt_returned_on=returned_on)
        if not updated:
            raise Conflict(_("该介绍信回执已登记。"), code="receipt_already_returned")
        FollowUp.objects.filter(
            kind=TRANSFER_RECEIPT,
            object_type="casework.relationtransfer",
            object_id=str(transfer.pk),
            resolved_at__isnull=True,
        ).update(resolved_at=timezone.now(), resolved_by_id=actor_id(actor))
        audit_record(
            actor=actor,
            action="transfer.receipt",
            obj=transfer,
            organisation=transfer.from_organisation,
            after={"returned_on": returned_on},
        )
    transfer.refresh_from_db()
    return transfer


def transfer_follow_ups_create(*, as_of: dt.date) -> int:
    """Unreturned receipts past validity become follow-ups for the sending organisation's
    contact officers (the member's officer, else the branch secretary). Idempotent: the partial
    unique index `one_open_follow_up` keeps one open follow-up per letter."""
    overdue = RelationTransfer.objects.filter(
        receipt_returned_on__isnull=True, valid_until__lt=as_of
    ).values_list("pk", "from_organisation_id", "member__contact_officer_id", "valid_until")
    with transaction.atomic():
        existing = {
            int(pk)
            for pk in FollowUp.objects.filter(
                kind=TRANSFER_RECEIPT, resolved_at__isnull=True
            ).values_list("object_id", flat=True)
        }
        fresh = [
            FollowUp(
                organisation_id=org_id,
                assignee_id=officer_id,
                kind=TRANSFER_RECEIPT,
                object_type="casework.relationtransfer",
                object_id=str(pk),
                title=str(_("组织关系介绍信回执逾期未退回，请催办")),
                due_on=as_of + dt.timedelta(days=7),
            )
            for pk, org_id, officer_id, _valid in overdue
            if pk not in existing
        ]
        created = FollowUp.objects.bulk_create(fresh, ignore_conflicts=True)
        if created:
            outbox_enqueue(TRANSFER_CHASE, {"as_of": as_of.isoformat()})
            audit_record(
                actor=None,
                action="transfer.follow_ups",
                after={"as_of": as_of, "created": len(created)},
            )
    return len(created)


def transfer_follow_up_chased(*, follow_up: FollowUp, document_id: int) -> None:
    """Note the chaser letter issued for an open receipt follow-up, once (compare-and-set).
    Called inside the issuing transaction; a second chaser is a conflict."""
    if not FollowUp.objects.filter(
        pk=follow_up.pk, kind=TRANSFER_RECEIPT, chased_at__isnull=True
    ).update(chased_at=timezone.now(), chaser_document_id=document_id):
        raise Conflict(_("该回执已发出催办函。"), code="already_chased")
    audit_record(
        actor=None,
        action="transfer.chase",
        obj=follow_up,
        organisation=follow_up.organisation,
        after={"object": follow_up.object_id, "document": document_id},
    )
