"""Prevention services (measures 1, 2, 4, 8): mobile certificates with the pre-departure talk,
renewal and return; handovers with ledgers, checks and a witness; training; the branch card;
branch notices; data quality and confirming a record. Refusals included."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from casework.errors import Conflict, DomainError, InvalidData, PermissionDenied
from casework.models import (
    AuditEvent,
    BranchNoticeRecipient,
    DeliveryStatus,
    DepartureTalk,
    LedgerKeeper,
    Member,
    RoleAssignment,
    TrainingRecord,
)
from casework.selectors.data_quality import data_quality_for_user
from casework.selectors.prevention import keeper_status
from casework.services.branch_contact import CardPerson, branch_card_save, branch_notice_create
from casework.services.data_quality import member_info_confirm
from casework.services.education import training_record
from casework.services.ledgers import (
    TalkData,
    departure_talk_record,
    ledger_handover_confirm,
    ledger_handover_start,
    ledger_keeper_assign,
    mobile_certificate_renew,
    mobile_certificate_return,
    mobile_record_create,
    mobile_report_record,
)
from casework.services.members import relative_add
from casework.services.organisations import role_assign
from tests.factories import make_member, make_user

TODAY = timezone.localdate()
START = TODAY - dt.timedelta(days=10)


def _fresh(member: Member) -> Member:
    return Member.objects.get(pk=member.pk)


def test_leaving_for_six_months_needs_a_pre_departure_talk(world) -> None:
    member = make_member(world.branch, name="外出甲")
    with pytest.raises(DomainError) as refused:
        mobile_record_create(
            member=member,
            certificate_no="LD-1",
            destination="广东省深圳市",
            start_on=START,
            expected_months=8,
            actor=world.secretary,
        )
    assert refused.value.code == "departure_talk_required"
    record = mobile_record_create(
        member=member,
        certificate_no="LD-1",
        destination="广东省深圳市",
        start_on=START,
        expected_months=8,
        valid_until=START + dt.timedelta(days=365),
        talk=TalkData(talked_on=START, talker=world.officer, content="明确外出期间联系要求"),
        actor=world.secretary,
    )
    talk = DepartureTalk.objects.get(member=member)
    assert talk.mobile_record_id == record.pk and talk.expected_months == 8
    assert _fresh(member).is_mobile and _fresh(member).mobile_certificate_no == "LD-1"
    assert _fresh(member).last_contact_date == START  # the talk is contact
    with pytest.raises(Conflict):  # one valid certificate at a time
        mobile_record_create(
            member=member,
            certificate_no="LD-2",
            destination="上海",
            start_on=START,
            actor=world.secretary,
        )


def test_a_talk_recorded_before_the_certificate_counts(world) -> None:
    member = make_member(world.branch)
    departure_talk_record(
        member=member,
        talk=TalkData(talked_on=START, talker=world.secretary, content="行前教育"),
        destination="浙江杭州",
        expected_months=12,
        actor=world.secretary,
    )
    record = mobile_record_create(
        member=member,
        certificate_no="LD-9",
        destination="浙江杭州",
        start_on=START,
        expected_months=12,
        actor=world.secretary,
    )
    assert DepartureTalk.objects.get(member=member).mobile_record_id == record.pk
    with pytest.raises(DomainError):  # the talker must be branch staff
        departure_talk_record(
            member=member,
            talk=TalkData(talked_on=START, talker=world.outsider, content="x"),
            destination="y",
            expected_months=6,
            actor=world.secretary,
        )


def test_reports_renewal_and_return_of_the_certificate(world) -> None:
    member = make_member(world.branch, last_contact_date=START - dt.timedelta(days=300))
    record = mobile_record_create(
        member=member, certificate_no="LD-3", destination="福建厦门", start_on=START, actor=None
    )
    record = mobile_report_record(record=record, reported_on=TODAY, actor=world.officer)
    assert record.last_report_on == TODAY
    record = mobile_certificate_renew(
        record=record,
        renewed_on=TODAY,
        valid_until=TODAY + dt.timedelta(days=365),
        certificate_no="LD-3B",
        actor=world.officer,
    )
    assert _fresh(member).mobile_certificate_no == "LD-3B"
    with pytest.raises(DomainError):
        mobile_certificate_renew(
            record=record, renewed_on=TODAY, valid_until=TODAY, actor=world.officer
        )
    with pytest.raises(PermissionDenied):
        mobile_certificate_return(record=record, returned_on=TODAY, actor=world.inspector)
    mobile_certificate_return(record=record, returned_on=TODAY, actor=world.officer)
    assert not _fresh(member).is_mobile
    with pytest.raises(Conflict):
        mobile_report_record(record=record, reported_on=TODAY, actor=world.officer)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"mobile.register", "mobile.report", "mobile.renew", "mobile.return"} <= actions


def test_a_handover_records_ledgers_checks_and_witness_and_allows_one_at_a_time(world) -> None:
    ledger_keeper_assign(
        organisation=world.branch, keeper=world.officer, since=START, actor=world.secretary
    )
    with pytest.raises(DomainError):
        ledger_handover_start(
            organisation=world.branch,
            to_user=world.secretary,
            handed_over_on=TODAY,
            items="",
            ledgers=["roster", "no-such-ledger"],
            actor=world.secretary,
        )
    handover = ledger_handover_start(
        organisation=world.branch,
        to_user=world.secretary,
        handed_over_on=TODAY,
        items="花名册1册",
        ledgers=["transfers", "roster"],
        checked=["complete"],
        actor=world.secretary,
    )
    assert handover.ledgers == ["roster", "transfers"]
    assert handover.witness_id == world.secretary.pk
    with pytest.raises(Conflict):
        ledger_handover_start(
            organisation=world.branch,
            to_user=world.secretary,
            handed_over_on=TODAY,
            items="x",
            actor=world.secretary,
        )
    with pytest.raises(PermissionDenied):
        ledger_handover_start(
            organisation=world.branch,
            to_user=world.secretary,
            handed_over_on=TODAY,
            items="x",
            actor=world.inspector,
        )
    ledger_handover_confirm(handover=handover, actor=world.secretary)
    ledger_handover_confirm(handover=handover, actor=world.officer)
    assert LedgerKeeper.objects.get(organisation=world.branch).keeper_id == world.secretary.pk


def test_the_keeper_s_absence_shows(world) -> None:
    assert keeper_status(world.branch).absent
    keeper = make_user("keeper", "contact_officer", world.branch)
    ledger_keeper_assign(organisation=world.branch, keeper=keeper, since=START, actor=None)
    assert not keeper_status(world.branch).absent
    RoleAssignment.objects.filter(user_id=keeper.pk).update(is_active=False)
    assert keeper_status(world.branch).absent


def test_training_records_one_row_per_member_and_is_contact(world) -> None:
    a = make_member(world.branch, last_contact_date=START - dt.timedelta(days=100))
    b = make_member(world.branch)
    records = training_record(
        organisation=world.branch,
        kind="oath",
        topic="重温入党誓词",
        trained_on=START,
        member_ids=[a.pk, b.pk],
        hours=Decimal("1.5"),
        actor=world.secretary,
    )
    assert len(records) == 2 and TrainingRecord.objects.count() == 2
    assert _fresh(a).last_contact_date == START
    other = make_member(world.other_branch)
    with pytest.raises(DomainError):
        training_record(
            organisation=world.branch,
            kind="oath",
            topic="x",
            trained_on=START,
            member_ids=[other.pk],
            actor=world.secretary,
        )
    with pytest.raises(PermissionDenied):
        training_record(
            organisation=world.branch,
            kind="oath",
            topic="x",
            trained_on=START,
            member_ids=[a.pk],
            actor=world.inspector,
        )


def test_the_branch_card_is_validated_and_replaced_whole(world) -> None:
    with pytest.raises(InvalidData):
        branch_card_save(
            organisation=world.branch,
            actor=world.secretary,
            people=[CardPerson(name="林书记", duty="书记", phone="abc")],
        )
    with pytest.raises(DomainError):
        branch_card_save(organisation=world.branch, actor=world.secretary, people=[])
    card = branch_card_save(
        organisation=world.branch,
        actor=world.secretary,
        people=[
            CardPerson(name="林书记", duty="支部书记", phone="13900000001"),
            CardPerson(name="", duty="", phone=""),
        ],
        landline="0591-87654321",
        channel_url="https://example.org/e-home",
    )
    code = card.public_code
    card = branch_card_save(
        organisation=world.branch,
        actor=world.secretary,
        people=[CardPerson(name="郑委员", duty="组织委员", phone="13900000002")],
    )
    assert card.public_code == code and [p.name for p in card.people.all()] == ["郑委员"]
    with pytest.raises(PermissionDenied):
        branch_card_save(organisation=world.branch, actor=world.inspector, people=[])


def test_a_notice_has_one_recipient_per_normal_member(world) -> None:
    make_member(world.branch, phone="13900000011")
    make_member(world.branch, phone="")
    make_member(world.branch, status="suspended")
    notice = branch_notice_create(
        organisation=world.branch,
        actor=world.secretary,
        title="主题党日",
        text="本周六上午九点在支部活动室开展主题党日活动。",
        channel="sms",
    )
    statuses = sorted(
        BranchNoticeRecipient.objects.filter(notice=notice).values_list("status", flat=True)
    )
    assert statuses == [DeliveryStatus.NO_ADDRESS, DeliveryStatus.PENDING]
    with pytest.raises(DomainError):
        branch_notice_create(
            organisation=world.branch,
            actor=world.secretary,
            title="x",
            text="y" * 301,
            channel="sms",
        )


def test_data_quality_counts_each_gap_without_decrypting(world) -> None:
    complete = make_member(
        world.branch,
        name="完整",
        occupation="教师",
        contact_officer=world.officer,
        phone="13900000021",
    )
    relative_add(
        member=complete,
        actor=world.secretary,
        data={"name": "林母", "relation": "母亲", "phone": "13900000022"},
    )
    member_info_confirm(member=complete, actor=world.secretary)
    make_member(world.branch, name="缺项", phone="", residence="", occupation="")
    make_member(world.branch, name="重复", phone="13900000021", occupation="工人")
    quality = data_quality_for_user(
        user=world.secretary, organisation_id=world.branch.pk, today=TODAY
    )
    assert quality.total == 3
    assert quality.counts["no_phone"] == 1
    assert quality.counts["no_residence"] == 1
    assert quality.counts["no_occupation"] == 1
    assert quality.counts["no_officer"] == 2
    assert quality.counts["no_relative_contact"] == 2
    assert quality.counts["unconfirmed"] == 2
    assert quality.counts["duplicate"] == 2  # the shared phone
    assert complete.pk in {m.pk for m in quality.members}  # the duplicate phone
    with pytest.raises(Conflict):
        member_info_confirm(member=complete, actor=world.secretary)
    with pytest.raises(PermissionDenied):
        member_info_confirm(member=complete, actor=world.inspector, confirmed_on=TODAY)


def test_roles_above_the_branch_count_as_its_staff(world) -> None:
    helper = make_user("helper")
    role_assign(user=helper, role="contact_officer", organisation=world.committee)
    ledger_keeper_assign(
        organisation=world.branch, keeper=helper, since=START, actor=world.secretary
    )
    assert not keeper_status(world.branch).absent
