"""Signals of contact: attempts to reach a member, organisational life (meetings, roll
calls) and dues. Each reached attempt, presence or payment moves the member's last-contact
date forward."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.audit import audit_record
from casework.errors import DomainError
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
    Organisation,
    RollCall,
    RollCallEntry,
)
from casework.services.ledgers.checks import (
    Actor,
    actor_id,
    members_of,
    move_forward,
    not_in_future,
    require_writer,
)


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
    """Log one attempt to reach a member; a 'reached' outcome counts as contact. The actor
    must hold a writing role over the member's organisation (None: the system itself)."""
    require_writer(actor, member.organisation)
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
