"""Writing contact signals and ledgers. Every signal of contact (a reached attempt, presence at
a meeting, an answered roll call, a dues payment, a mobile member's report, a return from
abroad) moves the member's last-contact date forward by compare-and-set, never backwards."""

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
    AbroadRecord,
    Attendance,
    AttendanceStatus,
    Case,
    ContactAttempt,
    ContactChannel,
    ContactOutcome,
    DuesPayment,
    FollowUp,
    LedgerHandover,
    LedgerKeeper,
    Meeting,
    MeetingKind,
    Member,
    MemberStatus,
    MobileRecord,
    Organisation,
    RelationTransfer,
    RollCall,
    RollCallEntry,
)
from casework.policy import add_months, rules_for

Actor = AbstractBaseUser | None


# No contact attempt predates the register by decades (a year-63 timestamp is a typo).
EARLIEST_CONTACT = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)


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
    if when < EARLIEST_CONTACT:
        raise DomainError(_("联系时间不能早于1990年。"), code="implausible_contact_time")
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
            _move_forward([member.pk], "last_contact_date", timezone.localdate(when))
        audit_record(
            actor=actor,
            action="contact.record",
            obj=attempt,
            organisation=member.organisation,
            after={"member": member.pk, "channel": channel, "outcome": outcome},
        )
    return attempt


# --- helpers -------------------------------------------------------------------------------


def _move_forward(member_ids: list[int], field: str, day: dt.date) -> int:
    """Compare-and-set: move `field` to `day` only where it is empty or earlier."""
    if not member_ids:
        return 0
    return (
        Member.objects.filter(pk__in=member_ids)
        .filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": day}))
        .update(**{field: day})
    )


def _actor_id(actor: Actor) -> int | None:
    return actor.pk if actor is not None and actor.is_authenticated else None


def _require_writer(actor: Actor, organisation: Organisation) -> None:
    """Actors must hold a writing role over the organisation; None is the system itself."""
    if actor is None:
        return
    if not has_role_over(actor, organisation, WRITE_ROLES):
        raise PermissionDenied(_("您无权管理该党组织的台账。"))


def _not_in_future(day: dt.date, what: str | Promise) -> None:
    if day > timezone.localdate():
        raise DomainError(_("%(what)s不能晚于今天。") % {"what": what}, code="future_date")


def _members_of(organisation: Organisation, member_ids: list[int]) -> None:
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
    _require_writer(actor, organisation)
    if kind not in MeetingKind.values:
        raise DomainError(_("会议类型无效。"), code="invalid_meeting_kind")
    _not_in_future(held_on, _("会议日期"))
    if any(status not in AttendanceStatus.values for status in attendance.values()):
        raise DomainError(_("出席情况无效。"), code="invalid_attendance")
    _members_of(organisation, list(attendance))
    with transaction.atomic():
        meeting = Meeting.objects.create(
            organisation=organisation,
            kind=kind,
            held_on=held_on,
            topic=topic,
            recorded_by_id=_actor_id(actor),
        )
        Attendance.objects.bulk_create(
            [
                Attendance(meeting=meeting, member_id=member_id, status=status)
                for member_id, status in attendance.items()
            ]
        )
        present = [m for m, status in attendance.items() if status == AttendanceStatus.PRESENT]
        _move_forward(present, "last_org_life_date", held_on)
        _move_forward(present, "last_contact_date", held_on)
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
    _require_writer(actor, organisation)
    _not_in_future(held_on, _("点名日期"))
    _members_of(organisation, list(answered))
    with transaction.atomic():
        roll_call = RollCall.objects.create(
            organisation=organisation, held_on=held_on, note=note, recorded_by_id=_actor_id(actor)
        )
        RollCallEntry.objects.bulk_create(
            [
                RollCallEntry(roll_call=roll_call, member_id=m, answered=a)
                for m, a in answered.items()
            ]
        )
        _move_forward([m for m, a in answered.items() if a], "last_contact_date", held_on)
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
    _require_writer(actor, member.organisation)
    day = paid_on or timezone.localdate()
    _not_in_future(day, _("交纳日期"))
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
            recorded_by_id=_actor_id(actor),
        )
        _move_forward([member.pk], "dues_paid_until", month)
        _move_forward([member.pk], "last_contact_date", day)
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
    _require_writer(actor, sender)
    serial = serial.strip()
    if not serial:
        raise DomainError(_("请填写介绍信编号。"), code="missing_serial")
    _not_in_future(issued_on, _("开具日期"))
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
                recorded_by_id=_actor_id(actor),
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
    _require_writer(actor, transfer.from_organisation)
    _not_in_future(returned_on, _("回执退回日期"))
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
        ).update(resolved_at=timezone.now(), resolved_by_id=_actor_id(actor))
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


# --- mobile and abroad members ----------------------------------------------------------------


def mobile_record_create(
    *,
    member: Member,
    certificate_no: str,
    destination: str,
    start_on: dt.date,
    actor: Actor,
    end_on: dt.date | None = None,
) -> MobileRecord:
    """Register a mobile member (流动党员活动证); the first report is due six months on."""
    _require_writer(actor, member.organisation)
    if not certificate_no.strip() or not destination.strip():
        raise DomainError(_("请填写活动证号和流入地。"), code="missing_fields")
    if end_on is not None and end_on < start_on:
        raise DomainError(_("返回日期不能早于外出日期。"), code="invalid_period")
    with transaction.atomic():
        record = MobileRecord.objects.create(
            member=member,
            certificate_no=certificate_no.strip(),
            destination=destination.strip(),
            start_on=start_on,
            end_on=end_on,
            report_due_on=add_months(start_on, 6),
            recorded_by_id=_actor_id(actor),
        )
        Member.objects.filter(pk=member.pk).update(
            is_mobile=True, mobile_certificate_no=record.certificate_no
        )
        audit_record(
            actor=actor,
            action="mobile.register",
            obj=record,
            organisation=member.organisation,
            after={"member": member.pk, "destination": record.destination, "start_on": start_on},
        )
    return record


def mobile_report_record(
    *, record: MobileRecord, reported_on: dt.date, actor: Actor
) -> MobileRecord:
    """The mobile member reported in: contact, and the next report is due six months on."""
    _require_writer(actor, record.member.organisation)
    _not_in_future(reported_on, _("报告日期"))
    if reported_on < record.start_on:
        raise DomainError(_("报告日期不能早于外出日期。"), code="invalid_reported_on")
    with transaction.atomic():
        MobileRecord.objects.filter(pk=record.pk).update(
            last_report_on=reported_on, report_due_on=add_months(reported_on, 6)
        )
        _move_forward([record.member_id], "last_contact_date", reported_on)
        audit_record(
            actor=actor,
            action="mobile.report",
            obj=record,
            organisation=record.member.organisation,
            after={"reported_on": reported_on},
        )
    record.refresh_from_db()
    return record


def abroad_record_create(
    *,
    member: Member,
    destination: str,
    left_on: dt.date,
    actor: Actor,
    purpose: str = "",
    expected_return_on: dt.date | None = None,
) -> AbroadRecord:
    _require_writer(actor, member.organisation)
    if not destination.strip():
        raise DomainError(_("请填写前往国家（地区）。"), code="missing_destination")
    if expected_return_on is not None and expected_return_on < left_on:
        raise DomainError(_("预计回国日期不能早于出境日期。"), code="invalid_period")
    with transaction.atomic():
        record = AbroadRecord.objects.create(
            member=member,
            destination=destination.strip(),
            purpose=purpose,
            left_on=left_on,
            expected_return_on=expected_return_on,
            recorded_by_id=_actor_id(actor),
        )
        Member.objects.filter(pk=member.pk).update(is_abroad=True)
        audit_record(
            actor=actor,
            action="abroad.register",
            obj=record,
            organisation=member.organisation,
            after={"member": member.pk, "destination": record.destination, "left_on": left_on},
        )
    return record


def abroad_return_record(
    *, record: AbroadRecord, returned_on: dt.date, actor: Actor
) -> AbroadRecord:
    _require_writer(actor, record.member.organisation)
    _not_in_future(returned_on, _("回国日期"))
    if returned_on < record.left_on:
        raise DomainError(_("回国日期不能早于出境日期。"), code="invalid_returned_on")
    with transaction.atomic():
        if not AbroadRecord.objects.filter(pk=record.pk, returned_on__isnull=True).update(
            returned_on=returned_on
        ):
            raise Conflict(_("该出国（境）记录已登记回国。"), code="already_returned")
        Member.objects.filter(pk=record.member_id).update(is_abroad=False)
        _move_forward([record.member_id], "last_contact_date", returned_on)
        audit_record(
            actor=actor,
            action="abroad.return",
            obj=record,
            organisation=record.member.organisation,
            after={"returned_on": returned_on},
        )
    record.refresh_from_db()
    return record


# --- ledger keeper and handover -----------------------------------------------------------------


def ledger_keeper_assign(
    *, organisation: Organisation, keeper: AbstractBaseUser, since: dt.date, actor: Actor
) -> LedgerKeeper:
    """Name the first keeper of a branch's ledgers; later changes go through a handover."""
    _require_writer(actor, organisation)
    if not has_role_over(keeper, organisation, WRITE_ROLES):
        raise DomainError(_("台账管理员须是本组织的工作人员。"), code="keeper_out_of_scope")
    try:
        with transaction.atomic():
            record = LedgerKeeper.objects.create(
                organisation=organisation, keeper_id=keeper.pk, since=since
            )
            audit_record(
                actor=actor,
                action="ledger.keeper",
                obj=record,
                organisation=organisation,
                after={"keeper": keeper.pk, "since": since},
            )
    except IntegrityError as exc:
        raise Conflict(_("该组织已有台账管理员，更换须办理交接。"), code="keeper_exists") from exc
    return record


def ledger_handover_start(
    *,
    organisation: Organisation,
    to_user: AbstractBaseUser,
    handed_over_on: dt.date,
    items: str,
    actor: Actor,
) -> LedgerHandover:
    """Record a handover from the current keeper to `to_user`; both must confirm."""
    _require_writer(actor, organisation)
    current = LedgerKeeper.objects.filter(organisation=organisation).first()
    if current is None:
        raise DomainError(_("该组织尚未指定台账管理员。"), code="no_keeper")
    if current.keeper_id == to_user.pk:
        raise DomainError(_("接收人已是台账管理员。"), code="same_keeper")
    if not has_role_over(to_user, organisation, WRITE_ROLES):
        raise DomainError(_("台账管理员须是本组织的工作人员。"), code="keeper_out_of_scope")
    if not items.strip():
        raise DomainError(_("请填写交接清单。"), code="missing_items")
    _not_in_future(handed_over_on, _("交接日期"))
    with transaction.atomic():
        handover = LedgerHandover.objects.create(
            organisation=organisation,
            from_user_id=current.keeper_id,
            to_user_id=to_user.pk,
            handed_over_on=handed_over_on,
            items=items.strip(),
        )
        audit_record(
            actor=actor,
            action="ledger.handover",
            obj=handover,
            organisation=organisation,
            after={"from": current.keeper_id, "to": to_user.pk, "on": handed_over_on},
        )
    return handover


def ledger_handover_confirm(*, handover: LedgerHandover, actor: AbstractBaseUser) -> LedgerHandover:
    """The giver or the receiver confirms; with both confirmations the keeper changes."""
    if actor.pk == handover.from_user_id:
        field = "from_confirmed_at"
    elif actor.pk == handover.to_user_id:
        field = "to_confirmed_at"
    else:
        raise PermissionDenied(_("只有交接双方可以确认。"))
    now = timezone.now()
    with transaction.atomic():
        if not LedgerHandover.objects.filter(pk=handover.pk, **{f"{field}__isnull": True}).update(
            **{field: now}
        ):
            raise Conflict(_("您已确认过该交接。"), code="already_confirmed")
        handover.refresh_from_db()
        if handover.is_complete:
            LedgerKeeper.objects.filter(organisation_id=handover.organisation_id).update(
                keeper_id=handover.to_user_id, since=handover.handed_over_on
            )
        audit_record(
            actor=actor,
            action="ledger.handover_confirm",
            obj=handover,
            organisation=handover.organisation,
            after={"side": field.split("_")[0], "complete": handover.is_complete},
        )
    return handover
