"""Mobile and abroad members (measures 2 and 8): the 流动党员活动证 (issue, six-monthly
reports, renewal, return), the pre-departure talk (行前谈话) for a member leaving for six
months or more, and the going-abroad (出国出境) ledger. Every write is audited; reports,
renewals and returns are contact."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from casework.access import WRITE_ROLES, has_role_over
from casework.audit import audit_record
from casework.errors import Conflict, DomainError
from casework.models import AbroadRecord, DepartureTalk, Member, MemberStatus, MobileRecord
from casework.policy import add_months, rules_for
from casework.services.ledgers.checks import (
    Actor,
    actor_id,
    move_forward,
    not_in_future,
    require_writer,
)

TALK_VALID_DAYS = 90  # a talk counts for a departure within this many days after it


@dataclass(frozen=True)
class TalkData:
    """A pre-departure talk recorded together with the certificate."""

    talked_on: dt.date
    talker: AbstractBaseUser
    content: str


def _lock_member(member: Member) -> Member:
    """The member row only (one lock order: never the joined organisation), no key change."""
    return (
        Member.objects.select_for_update(no_key=True, of=("self",))
        .select_related("organisation")
        .get(pk=member.pk)
    )


def _check_talk(member: Member, talk: TalkData) -> None:
    not_in_future(talk.talked_on, _("谈话日期"))
    if not talk.content.strip():
        raise DomainError(_("请填写谈话要点。"), code="missing_talk_content")
    if not has_role_over(talk.talker, member.organisation, WRITE_ROLES):
        raise DomainError(_("谈话人须是本支部指定的工作人员。"), code="talker_out_of_scope")


def departure_talk_record(
    *,
    member: Member,
    talk: TalkData,
    destination: str,
    expected_months: int,
    actor: Actor,
    mobile_record: MobileRecord | None = None,
) -> DepartureTalk:
    """Record a pre-departure talk (the branch's designated person with the leaving member)."""
    require_writer(actor, member.organisation)
    _check_talk(member, talk)
    if not destination.strip():
        raise DomainError(_("请填写外出去向。"), code="missing_destination")
    if expected_months < 1:
        raise DomainError(_("预计外出月数至少为1个月。"), code="invalid_months")
    with transaction.atomic():
        record = DepartureTalk.objects.create(
            member=member,
            talked_on=talk.talked_on,
            talker_id=talk.talker.pk,
            destination=destination.strip(),
            expected_months=expected_months,
            content=talk.content.strip(),
            mobile_record=mobile_record,
            recorded_by_id=actor_id(actor),
        )
        move_forward([member.pk], "last_contact_date", talk.talked_on)
        audit_record(
            actor=actor,
            action="mobile.departure_talk",
            obj=record,
            organisation=member.organisation,
            after={"member": member.pk, "on": talk.talked_on, "months": expected_months},
        )
    return record


def _recent_talk(member: Member, start_on: dt.date) -> DepartureTalk | None:
    return (
        DepartureTalk.objects.filter(
            member=member,
            mobile_record__isnull=True,
            talked_on__lte=start_on,
            talked_on__gte=start_on - dt.timedelta(days=TALK_VALID_DAYS),
        )
        .order_by("-talked_on", "-id")
        .first()
    )


def mobile_record_create(
    *,
    member: Member,
    certificate_no: str,
    destination: str,
    start_on: dt.date,
    actor: Actor,
    end_on: dt.date | None = None,
    expected_months: int | None = None,
    valid_until: dt.date | None = None,
    talk: TalkData | None = None,
) -> MobileRecord:
    """Issue a mobile member's certificate (流动党员活动证); the first report is due after the
    rule set's `mobile_report_months`. Leaving for `departure_talk_min_months` or more needs a
    pre-departure talk: given here, or recorded in the last 90 days."""
    require_writer(actor, member.organisation)
    try:
        rules = rules_for(start_on)
    except ValueError:  # before the first rule set: no such certificate could be issued
        raise DomainError(_("外出日期早于现行规定施行日期。"), code="invalid_start") from None
    if not certificate_no.strip() or not destination.strip():
        raise DomainError(_("请填写活动证号和流入地。"), code="missing_fields")
    if end_on is not None and end_on < start_on:
        raise DomainError(_("返回日期不能早于外出日期。"), code="invalid_period")
    if valid_until is not None and valid_until <= start_on:
        raise DomainError(_("活动证有效期须晚于外出日期。"), code="invalid_validity")
    if expected_months is not None and expected_months < 1:
        raise DomainError(_("预计外出月数至少为1个月。"), code="invalid_months")
    if talk is not None:
        _check_talk(member, talk)
    with transaction.atomic():
        locked = _lock_member(member)
        if locked.status != MemberStatus.NORMAL:
            raise DomainError(_("该党员党籍状态不正常，不能办理活动证。"), code="member_not_normal")
        if MobileRecord.objects.filter(
            member=locked, certificate_returned_on__isnull=True, end_on__isnull=True
        ).exists():
            raise Conflict(_("该党员已持有有效的流动党员活动证。"), code="certificate_active")
        earlier_talk = None
        if talk is None and (expected_months or 0) >= rules.departure_talk_min_months:
            earlier_talk = _recent_talk(locked, start_on)
            if earlier_talk is None:
                raise DomainError(
                    _("外出%(months)d个月以上，须先进行行前谈话。")
                    % {"months": rules.departure_talk_min_months},
                    code="departure_talk_required",
                )
        record = MobileRecord.objects.create(
            member=locked,
            certificate_no=certificate_no.strip(),
            destination=destination.strip(),
            start_on=start_on,
            end_on=end_on,
            expected_months=expected_months,
            valid_until=valid_until,
            report_due_on=add_months(start_on, rules.mobile_report_months),
            recorded_by_id=actor_id(actor),
        )
        Member.objects.filter(pk=locked.pk).update(
            is_mobile=True, mobile_certificate_no=record.certificate_no
        )
        audit_record(
            actor=actor,
            action="mobile.register",
            obj=record,
            organisation=locked.organisation,
            after={"member": locked.pk, "destination": record.destination, "start_on": start_on},
        )
        if talk is not None:
            departure_talk_record(
                member=locked,
                talk=talk,
                destination=record.destination,
                expected_months=expected_months or rules.departure_talk_min_months,
                actor=actor,
                mobile_record=record,
            )
        elif earlier_talk is not None:
            DepartureTalk.objects.filter(pk=earlier_talk.pk).update(mobile_record=record)
    return record


def _lock_record(record: MobileRecord) -> MobileRecord:
    locked = (
        MobileRecord.objects.select_for_update(no_key=True, of=("self",))
        .select_related("member__organisation")
        .get(pk=record.pk)
    )
    if locked.certificate_returned_on is not None:
        raise Conflict(_("该流动党员活动证已交回。"), code="certificate_returned")
    return locked


def mobile_report_record(
    *, record: MobileRecord, reported_on: dt.date, actor: Actor
) -> MobileRecord:
    """The mobile member reported in (the six-monthly report): contact, and the next report is
    due after the rule set's `mobile_report_months`."""
    require_writer(actor, record.member.organisation)
    not_in_future(reported_on, _("报告日期"))
    if reported_on < record.start_on:
        raise DomainError(_("报告日期不能早于外出日期。"), code="invalid_reported_on")
    months = rules_for(reported_on).mobile_report_months
    with transaction.atomic():
        locked = _lock_record(record)
        locked.last_report_on = reported_on
        locked.report_due_on = add_months(reported_on, months)
        locked.save(update_fields=["last_report_on", "report_due_on"])
        move_forward([locked.member_id], "last_contact_date", reported_on)
        audit_record(
            actor=actor,
            action="mobile.report",
            obj=locked,
            organisation=locked.member.organisation,
            after={"reported_on": reported_on},
        )
    return locked


def mobile_certificate_renew(
    *,
    record: MobileRecord,
    renewed_on: dt.date,
    valid_until: dt.date,
    actor: Actor,
    certificate_no: str = "",
) -> MobileRecord:
    """Renew (换发) the certificate: a new validity, optionally a new number."""
    require_writer(actor, record.member.organisation)
    not_in_future(renewed_on, _("换发日期"))
    if renewed_on < record.start_on:
        raise DomainError(_("换发日期不能早于外出日期。"), code="invalid_renewed_on")
    if valid_until <= renewed_on:
        raise DomainError(_("活动证有效期须晚于换发日期。"), code="invalid_validity")
    with transaction.atomic():
        locked = _lock_record(record)
        before = {"certificate_no": locked.certificate_no, "valid_until": locked.valid_until}
        if certificate_no.strip():
            locked.certificate_no = certificate_no.strip()
        locked.renewed_on = renewed_on
        locked.valid_until = valid_until
        locked.save(update_fields=["certificate_no", "renewed_on", "valid_until"])
        Member.objects.filter(pk=locked.member_id).update(
            mobile_certificate_no=locked.certificate_no
        )
        move_forward([locked.member_id], "last_contact_date", renewed_on)
        audit_record(
            actor=actor,
            action="mobile.renew",
            obj=locked,
            organisation=locked.member.organisation,
            before=before,
            after={"certificate_no": locked.certificate_no, "valid_until": valid_until},
        )
    return locked


def mobile_certificate_return(
    *, record: MobileRecord, returned_on: dt.date, actor: Actor
) -> MobileRecord:
    """The member came back and returned the certificate: no longer mobile."""
    require_writer(actor, record.member.organisation)
    not_in_future(returned_on, _("交回日期"))
    if returned_on < record.start_on:
        raise DomainError(_("交回日期不能早于外出日期。"), code="invalid_returned_on")
    with transaction.atomic():
        locked = _lock_record(record)
        locked.certificate_returned_on = returned_on
        locked.end_on = locked.end_on or returned_on
        locked.save(update_fields=["certificate_returned_on", "end_on"])
        Member.objects.filter(pk=locked.member_id).update(is_mobile=False, mobile_certificate_no="")
        move_forward([locked.member_id], "last_contact_date", returned_on)
        audit_record(
            actor=actor,
            action="mobile.return",
            obj=locked,
            organisation=locked.member.organisation,
            after={"returned_on": returned_on},
        )
    return locked


# --- going abroad -----------------------------------------------------------------------------


def abroad_record_create(
    *,
    member: Member,
    destination: str,
    left_on: dt.date,
    actor: Actor,
    purpose: str = "",
    expected_return_on: dt.date | None = None,
) -> AbroadRecord:
    """A going-abroad report (出国出境报告) in the branch's ledger; the member is flagged
    abroad until the return is recorded."""
    require_writer(actor, member.organisation)
    if not destination.strip():
        raise DomainError(_("请填写前往国家（地区）。"), code="missing_destination")
    if expected_return_on is not None and expected_return_on < left_on:
        raise DomainError(_("预计回国日期不能早于出境日期。"), code="invalid_period")
    with transaction.atomic():
        locked = _lock_member(member)
        if AbroadRecord.objects.filter(member=locked, returned_on__isnull=True).exists():
            raise Conflict(_("该党员已有未回国的出国（境）登记。"), code="already_abroad")
        record = AbroadRecord.objects.create(
            member=locked,
            destination=destination.strip(),
            purpose=purpose.strip(),
            left_on=left_on,
            expected_return_on=expected_return_on,
            recorded_by_id=actor_id(actor),
        )
        Member.objects.filter(pk=locked.pk).update(is_abroad=True)
        audit_record(
            actor=actor,
            action="abroad.register",
            obj=record,
            organisation=locked.organisation,
            after={"member": locked.pk, "destination": record.destination, "left_on": left_on},
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
