"""Mobile members (流动党员) and members abroad: records, reports, returns."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from casework.audit import audit_record
from casework.errors import Conflict, DomainError
from casework.models import (
    AbroadRecord,
    Member,
    MobileRecord,
)
from casework.policy import add_months
from casework.services.ledgers.checks import (
    Actor,
    actor_id,
    move_forward,
    not_in_future,
    require_writer,
)


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
    require_writer(actor, member.organisation)
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
            recorded_by_id=actor_id(actor),
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
    require_writer(actor, record.member.organisation)
    not_in_future(reported_on, _("报告日期"))
    if reported_on < record.start_on:
        raise DomainError(_("报告日期不能早于外出日期。"), code="invalid_reported_on")
    with transaction.atomic():
        MobileRecord.objects.filter(pk=record.pk).update(
            last_report_on=reported_on, report_due_on=add_months(reported_on, 6)
        )
        move_forward([record.member_id], "last_contact_date", reported_on)
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
    require_writer(actor, member.organisation)
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
            recorded_by_id=actor_id(actor),
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
    require_writer(actor, record.member.organisation)
    not_in_future(returned_on, _("回国日期"))
    if returned_on < record.left_on:
        raise DomainError(_("回国日期不能早于出境日期。"), code="invalid_returned_on")
    with transaction.atomic():
        if not AbroadRecord.objects.filter(pk=record.pk, returned_on__isnull=True).update(
            returned_on=returned_on
        ):
            raise Conflict(_("该出国（境）记录已登记回国。"), code="already_returned")
        Member.objects.filter(pk=record.member_id).update(is_abroad=False)
        move_forward([record.member_id], "last_contact_date", returned_on)
        audit_record(
            actor=actor,
            action="abroad.return",
            obj=record,
            organisation=record.member.organisation,
            after={"returned_on": returned_on},
        )
    record.refresh_from_db()
    return record
