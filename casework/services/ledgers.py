"""Writing contact signals and ledgers. Every signal of contact (a reached attempt, presence at
a meeting, an answered roll call, a dues payment, a mobile member's report, a return from
abroad) moves the member's last-contact date forward by compare-and-set, never backwards.

Mobile and abroad members are written by casework.services.mobility, the ledger keeper and
handovers by casework.services.handover; both share the helpers below."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from casework.access import WRITE_ROLES, has_role_over
from casework.audit import audit_record
from casework.errors import Conflict, DomainError, PermissionDenied
from casework.models import (
    Attendance,
    AttendanceStatus,
    Case,
    ContactAttempt,
    ContactChannel,
    ContactOutcome,
    DuesPayment,
    FollowUp,
    Meeting,
    MeetingKind,
    Member,
    MemberStatus,
    Organisation,
    RelationTransfer,
    RollCall,
    RollCallEntry,
)
from casework.policy import add_months, rules_for

Actor = AbstractBaseUser | None


def contact_attempt_record(
    *,
    member: Member,
    actor: AbstractBaseUser | None,
    channel: str,
    outcome: str,
    notes: str = "",
    at: dt.datetime | None = None,
    case: Case | None = None,
) -> ContactAttempt:
    """Log one attempt to reach a member; a 'reached' outcome counts as contact."""
    if channel not in ContactChannel.values:
        raise DomainError(_("联系方式无效。"), code="invalid_channel")
    if outcome not in ContactOutcome.values:
        raise DomainError(_("联系结果无效。"), code="invalid_outcome")
    when = at or timezone.now()
    if when > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError(_("联系时间不能晚于当前时间。"), code="future_contact")
    if case is not None and case.member_id != member.pk:
        raise DomainError(_("联系记录与案件的党员不一致。"), code="case_member_mismatch")
    with transaction.atomic():
        attempt = ContactAttempt.objects.create(
            member=member,
            case=case,
            channel=channel,
            outcome=outcome,
            notes=notes,
            at=when,
            recorded_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
        )
        if outcome == ContactOutcome.REACHED:
            move_forward([member.pk], "last_contact_date", timezone.localdate(when))
        audit_record(
            actor=actor,
            action="contact.record",
            obj=attempt,
            organisation=member.organisation,
            after={"member": member.pk, "channel": channel, "outcome": outcome},
        )
    return attempt


# --- helpers -------------------------------------------------------------------------------


def move_forward(member_ids: list[int], field: str, day: dt.date) -> int:
    """Compare-and-set: move `field` to `day` only where it is empty or earlier."""
    if not member_ids:
        return 0
    return (
        Member.objects.filter(pk__in=member_ids)
        .filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": day}))
        .update(**{field: day})
    )


def actor_id(actor: Actor) -> int | None:
    return actor.pk if actor is not None and actor.is_authenticated else None


def require_writer(actor: Actor, organisation: Organisation) -> None:
    """Actors must hold a writing role over the organisation; None is the system itself."""
    if actor is None:
        return
    if not has_role_over(actor, organisation, WRITE_ROLES):
        raise PermissionDenied(_("您无权管理该党组织的台账。"))


def not_in_future(day: dt.date, what: str | Promise) -> None:
    if day > timezone.localdate():
        raise DomainError(_("%(what)s不能晚于今天。") % {"what": what}, code="future_date")


def members_of(organisation: Organisation, member_ids: list[int]) -> None:
    found = Member.objects.filter(pk__in=member_ids, organisation=organisation).count()
    if found != len(set(member_ids)):
        raise DomainError(_("名单中有不属于本支部的党员。"), code="member_not_in_organisation")


# --- organisational life ----------------------------------------------------------------------


def meeting_record(
    *,
    organisation: Organisation,
    kind: str,
    held_on: dt.date,
    attendance: dict[int, str],
    actor: Actor,
    topic: str = "",
) -> Meeting:
    """Record a meeting and who attended; presence is organisational life and contact."""
    require_writer(actor, organisation)
    if kind not in MeetingKind.values:
        raise DomainError(_("会议类型无效。"), code="invalid_meeting_kind")
    not_in_future(held_on, _("会议日期"))
    if any(status not in AttendanceStatus.values for status in attendance.values()):
        raise DomainError(_("出席情况无效。"), code="invalid_attendance")
    members_of(organisation, list(attendance))
    with transaction.atomic():
        meeting = Meeting.objects.create(
            organisation=organisation,
            kind=kind,
            held_on=held_on,
            topic=topic,
            recorded_by_id=actor_id(actor),
        )
        Attendance.objects.bulk_create(
            [
                Attendance(meeting=meeting, member_id=member_id, status=status)
                for member_id, status in attendance.items()
            ]
        )
        present = [m for m, status in attendance.items() if status == AttendanceStatus.PRESENT]
        move_forward(present, "last_org_life_date", held_on)
        move_forward(present, "last_contact_date", held_on)
        audit_record(
            actor=actor,
            action="meeting.record",
            obj=meeting,
            organisation=organisation,
            after={
                "kind": kind,
                "held_on": held_on,
                "present": len(present),
                "total": len(attendance),
            },
        )
    return meeting


def roll_call_record(
    *,
    organisation: Organisation,
    held_on: dt.date,
    answered: dict[int, bool],
    actor: Actor,
    note: str = "",
) -> RollCall:
    """Record a roll call. An answer is contact; silence becomes a follow-up for the member's
    contact officer, due the next day ("follow up at once")."""
    require_writer(actor, organisation)
    not_in_future(held_on, _("点名日期"))
    members_of(organisation, list(answered))
    with transaction.atomic():
        roll_call = RollCall.objects.create(
            organisation=organisation, held_on=held_on, note=note, recorded_by_id=actor_id(actor)
        )
        RollCallEntry.objects.bulk_create(
            [
                RollCallEntry(roll_call=roll_call, member_id=m, answered=a)
                for m, a in answered.items()
            ]
        )
        move_forward([m for m, a in answered.items() if a], "last_contact_date", held_on)
        silent = Member.objects.filter(pk__in=[m for m, a in answered.items() if not a])
        FollowUp.objects.bulk_create(
            [
                FollowUp(
                    organisation=organisation,
                    assignee_id=officer_id,
                    kind="roll_call.unanswered",
                    object_type="casework.member",
                    object_id=str(member_id),
                    title=str(_("点名未应答，请立即跟进联系")),
                    due_on=held_on + dt.timedelta(days=1),
                )
                for member_id, officer_id in silent.values_list("pk", "contact_officer_id")
            ],
            ignore_conflicts=True,
        )
        audit_record(
            actor=actor,
            action="roll_call.record",
            obj=roll_call,
            organisation=organisation,
            after={"held_on": held_on, "answered": sum(answered.values()), "total": len(answered)},
        )
    return roll_call


# --- dues -------------------------------------------------------------------------------------


def dues_payment_record(
    *,
    member: Member,
    paid_until: dt.date,
    amount: Decimal,
    actor: Actor,
    paid_on: dt.date | None = None,
) -> DuesPayment:
    """Record dues paid up to a month; moves dues_paid_until and the last-contact date."""
    require_writer(actor, member.organisation)
    day = paid_on or timezone.localdate()
    not_in_future(day, _("交纳日期"))
    if amount <= 0:
        raise DomainError(_("党费金额必须大于零。"), code="invalid_amount")
    month = paid_until.replace(day=1)
    if member.join_date and month < member.join_date.replace(day=1):
        raise DomainError(_("交至月份不能早于入党月份。"), code="invalid_paid_until")
    with transaction.atomic():
        payment = DuesPayment.objects.create(
            member=member,
            paid_on=day,
            paid_until=month,
            amount=amount,
            recorded_by_id=actor_id(actor),
        )
        move_forward([member.pk], "dues_paid_until", month)
        move_forward([member.pk], "last_contact_date", day)
        audit_record(
            actor=actor,
            action="dues.record",
            obj=payment,
            organisation=member.organisation,
            after={"member": member.pk, "paid_until": month, "amount": amount, "paid_on": day},
        )
    return payment


# --- relation transfers -----------------------------------------------------------------------


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
            kind="transfer.receipt",
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
                kind="transfer.receipt", resolved_at__isnull=True
            ).values_list("object_id", flat=True)
        }
        fresh = [
            FollowUp(
                organisation_id=org_id,
                assignee_id=officer_id,
                kind="transfer.receipt",
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
            audit_record(
                actor=None,
                action="transfer.follow_ups",
                after={"as_of": as_of, "created": len(created)},
            )
    return len(created)
