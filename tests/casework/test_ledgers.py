import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from casework.errors import Conflict, DomainError, PermissionDenied
from casework.models import (
    AuditEvent,
    FollowUp,
    LedgerKeeper,
    Meeting,
    Member,
    RelationTransfer,
    RollCall,
)
from casework.services.ledgers import (
    abroad_record_create,
    abroad_return_record,
    dues_payment_record,
    ledger_handover_confirm,
    ledger_handover_start,
    ledger_keeper_assign,
    meeting_record,
    mobile_record_create,
    mobile_report_record,
    relation_transfer_issue,
    relation_transfer_receipt_record,
    roll_call_record,
    transfer_follow_ups_create,
)
from casework.tasks import transfer_follow_ups_task
from tests.factories import make_member

OLD = dt.date(2024, 1, 1)


def _fresh(member: Member) -> Member:
    return Member.objects.get(pk=member.pk)


def test_presence_at_a_meeting_moves_org_life_and_contact_forward(world) -> None:
    present = make_member(world.branch, last_contact_date=OLD)
    absent = make_member(world.branch, last_contact_date=OLD)
    held = dt.date(2025, 6, 1)
    meeting = meeting_record(
        organisation=world.branch,
        kind="theme_day",
        held_on=held,
        attendance={present.pk: "present", absent.pk: "absent"},
        actor=world.secretary,
    )
    assert meeting.attendance.count() == 2
    assert (_fresh(present).last_org_life_date, _fresh(present).last_contact_date) == (held, held)
    assert _fresh(absent).last_contact_date == OLD
    # An older meeting entered later never moves the dates back.
    meeting_record(
        organisation=world.branch,
        kind="party_lecture",
        held_on=dt.date(2025, 1, 1),
        attendance={present.pk: "present"},
        actor=world.secretary,
    )
    assert _fresh(present).last_contact_date == held
    assert AuditEvent.objects.filter(action="meeting.record").count() == 2


def test_a_meeting_refuses_members_of_another_branch_and_outsiders(world) -> None:
    stranger = make_member(world.other_branch)
    with pytest.raises(DomainError):
        meeting_record(
            organisation=world.branch,
            kind="party_group",
            held_on=dt.date(2025, 6, 1),
            attendance={stranger.pk: "present"},
            actor=world.secretary,
        )
    with pytest.raises(PermissionDenied):
        meeting_record(
            organisation=world.branch,
            kind="party_group",
            held_on=dt.date(2025, 6, 1),
            attendance={},
            actor=world.outsider,
        )
    with pytest.raises(PermissionDenied):
        meeting_record(
            organisation=world.branch,
            kind="party_group",
            held_on=dt.date(2025, 6, 1),
            attendance={},
            actor=world.inspector,
        )
    assert Meeting.objects.count() == 0


def test_a_meeting_in_the_future_or_of_unknown_kind_is_refused(world) -> None:
    for kind, day in (
        ("picnic", dt.date(2025, 6, 1)),
        ("theme_day", timezone.localdate() + dt.timedelta(days=2)),
    ):
        with pytest.raises(DomainError):
            meeting_record(
                organisation=world.branch, kind=kind, held_on=day, attendance={}, actor=None
            )
    assert Meeting.objects.count() == 0


def test_a_roll_call_answer_is_contact_and_silence_is_followed_up(world) -> None:
    answered = make_member(world.branch, last_contact_date=OLD)
    silent = make_member(world.branch, last_contact_date=OLD, contact_officer=world.officer)
    held = dt.date(2025, 6, 1)
    roll_call_record(
        organisation=world.branch,
        held_on=held,
        answered={answered.pk: True, silent.pk: False},
        actor=world.officer,
    )
    assert _fresh(answered).last_contact_date == held
    assert _fresh(silent).last_contact_date == OLD
    follow_up = FollowUp.objects.get()
    assert (follow_up.assignee, follow_up.object_id) == (world.officer, str(silent.pk))
    assert follow_up.due_on == held + dt.timedelta(days=1)
    assert RollCall.objects.get().entries.count() == 2


def test_dues_move_paid_until_and_contact(world) -> None:
    member = make_member(world.branch, last_contact_date=OLD, join_date=dt.date(2010, 7, 1))
    dues_payment_record(
        member=member,
        paid_until=dt.date(2025, 12, 15),
        amount=Decimal("24.00"),
        paid_on=dt.date(2025, 6, 3),
        actor=world.officer,
    )
    fresh = _fresh(member)
    assert (fresh.dues_paid_until, fresh.last_contact_date) == (
        dt.date(2025, 12, 1),
        dt.date(2025, 6, 3),
    )
    assert AuditEvent.objects.filter(action="dues.record").count() == 1


@pytest.mark.parametrize(
    ("amount", "paid_until"),
    [(Decimal("0"), dt.date(2025, 12, 1)), (Decimal("10"), dt.date(2005, 1, 1))],
)
def test_dues_with_no_amount_or_before_joining_are_refused(world, amount, paid_until) -> None:
    member = make_member(world.branch, join_date=dt.date(2010, 7, 1))
    with pytest.raises(DomainError):
        dues_payment_record(
            member=member, paid_until=paid_until, amount=amount, actor=world.officer
        )
    with pytest.raises(PermissionDenied):
        dues_payment_record(
            member=member, paid_until=dt.date(2025, 1, 1), amount=Decimal(5), actor=world.outsider
        )


def _issue(world, member, **kw):
    defaults = {
        "serial": "榕转〔2025〕1号",
        "issued_on": dt.date(2025, 1, 10),
        "valid_until": dt.date(2025, 4, 10),
        "to_name": "某街道社区党委",
        "actor": world.officer,
    }
    defaults.update(kw)
    return relation_transfer_issue(member=member, **defaults)


def test_a_transfer_letter_is_valid_at_most_three_months(world) -> None:
    member = make_member(world.branch)
    with pytest.raises(DomainError):
        _issue(world, member, valid_until=dt.date(2025, 4, 11))
    with pytest.raises(DomainError):
        _issue(world, member, valid_until=dt.date(2025, 1, 9))
    with pytest.raises(DomainError):
        _issue(world, member, to_organisation=world.branch, to_name="")
    with pytest.raises(PermissionDenied):
        _issue(world, member, actor=world.outsider)
    transfer = _issue(world, member)
    assert transfer.from_organisation == world.branch
    with pytest.raises(Conflict):
        _issue(world, member)
    assert RelationTransfer.objects.count() == 1


def test_unreturned_receipts_become_one_follow_up_until_the_receipt_returns(world) -> None:
    member = make_member(world.branch, contact_officer=world.officer)
    transfer = _issue(world, member)
    assert transfer_follow_ups_create(as_of=dt.date(2025, 4, 10)) == 0  # still valid that day
    assert transfer_follow_ups_create(as_of=dt.date(2025, 4, 11)) == 1
    assert transfer_follow_ups_task.delay("2025-04-12").get() == 0  # idempotent
    follow_up = FollowUp.objects.get()
    assert (follow_up.assignee, follow_up.organisation) == (world.officer, world.branch)
    relation_transfer_receipt_record(
        transfer=transfer, returned_on=dt.date(2025, 4, 20), actor=world.officer
    )
    follow_up.refresh_from_db()
    assert follow_up.resolved_at is not None
    assert transfer_follow_ups_create(as_of=dt.date(2025, 5, 1)) == 0
    with pytest.raises(Conflict):
        relation_transfer_receipt_record(
            transfer=transfer, returned_on=dt.date(2025, 4, 21), actor=world.officer
        )


def test_a_receipt_before_the_issue_date_is_refused(world) -> None:
    transfer = _issue(world, make_member(world.branch))
    with pytest.raises(DomainError):
        relation_transfer_receipt_record(
            transfer=transfer, returned_on=dt.date(2025, 1, 1), actor=world.officer
        )


def test_mobile_members_report_every_six_months(world) -> None:
    member = make_member(world.branch, last_contact_date=OLD)
    record = mobile_record_create(
        member=member,
        certificate_no="LD-2025-001",
        destination="广东省深圳市",
        start_on=dt.date(2025, 1, 31),
        actor=world.officer,
    )
    assert record.report_due_on == dt.date(2025, 7, 31)
    assert (_fresh(member).is_mobile, _fresh(member).mobile_certificate_no) == (True, "LD-2025-001")
    record = mobile_report_record(
        record=record, reported_on=dt.date(2025, 7, 20), actor=world.officer
    )
    assert record.report_due_on == dt.date(2026, 1, 20)
    assert _fresh(member).last_contact_date == dt.date(2025, 7, 20)
    with pytest.raises(DomainError):
        mobile_record_create(
            member=member,
            certificate_no="X",
            destination="Y",
            start_on=dt.date(2025, 2, 1),
            end_on=dt.date(2025, 1, 1),
            actor=world.officer,
        )


def test_abroad_members_are_flagged_until_they_return(world) -> None:
    member = make_member(world.branch, last_contact_date=OLD)
    record = abroad_record_create(
        member=member, destination="新加坡", left_on=dt.date(2025, 1, 1), actor=world.officer
    )
    assert _fresh(member).is_abroad
    with pytest.raises(DomainError):
        abroad_return_record(record=record, returned_on=dt.date(2024, 12, 1), actor=world.officer)
    abroad_return_record(record=record, returned_on=dt.date(2025, 3, 1), actor=world.officer)
    assert not _fresh(member).is_abroad
    assert _fresh(member).last_contact_date == dt.date(2025, 3, 1)
    with pytest.raises(Conflict):
        abroad_return_record(record=record, returned_on=dt.date(2025, 3, 2), actor=world.officer)


def test_the_keeper_changes_only_when_both_sides_confirm_the_handover(world) -> None:
    ledger_keeper_assign(
        organisation=world.branch, keeper=world.officer, since=OLD, actor=world.secretary
    )
    with pytest.raises(Conflict):
        ledger_keeper_assign(
            organisation=world.branch, keeper=world.secretary, since=OLD, actor=world.secretary
        )
    with pytest.raises(DomainError):
        ledger_handover_start(
            organisation=world.branch,
            to_user=world.outsider,
            handed_over_on=dt.date(2025, 1, 1),
            items="花名册",
            actor=world.secretary,
        )
    handover = ledger_handover_start(
        organisation=world.branch,
        to_user=world.secretary,
        handed_over_on=dt.date(2025, 1, 1),
        items="花名册、组织关系转接台账、会议记录本",
        actor=world.secretary,
    )
    with pytest.raises(PermissionDenied):
        ledger_handover_confirm(handover=handover, actor=world.approver)
    ledger_handover_confirm(handover=handover, actor=world.officer)
    assert LedgerKeeper.objects.get(organisation=world.branch).keeper == world.officer
    with pytest.raises(Conflict):
        ledger_handover_confirm(handover=handover, actor=world.officer)
    handover = ledger_handover_confirm(handover=handover, actor=world.secretary)
    assert handover.is_complete
    assert LedgerKeeper.objects.get(organisation=world.branch).keeper == world.secretary
    assert AuditEvent.objects.filter(action="ledger.handover_confirm").count() == 2
