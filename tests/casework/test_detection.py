import datetime as dt
import json
import threading
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from casework import hooks
from casework.audit import verify_audit_chain
from casework.models import (
    AtRiskReminder,
    AuditEvent,
    Case,
    CaseStatus,
    Circumstance,
    KeyGroup,
    Member,
    MembershipType,
    MemberStatus,
    Notification,
    OutboxMessage,
    OutboxState,
    TimelineEntry,
)
from casework.services.detection import detect_lost_contact, detection_chunks
from tests.factories import make_member

AS_OF = dt.date(2026, 3, 31)
# add_months(2026-03-31, -6) = 2025-09-30; add_months(2026-03-31, -3) = 2025-12-31.
THRESHOLD = dt.date(2025, 9, 30)
AT_RISK = dt.date(2025, 12, 31)


def test_a_member_exactly_at_the_threshold_is_lost_and_a_day_later_is_not(world) -> None:
    at = make_member(world.branch, name="恰好", last_contact_date=THRESHOLD)
    after = make_member(world.branch, name="差一天", last_contact_date=THRESHOLD + dt.timedelta(1))
    result = detect_lost_contact(as_of=AS_OF)
    assert result.opened == 1
    case = Case.objects.get()
    assert case.member_id == at.pk
    assert case.status == CaseStatus.REGISTERED
    assert case.rule_set == "2024"
    assert case.evidence["last_contact_date"] == THRESHOLD.isoformat()
    assert case.evidence["lost_on_or_before"] == THRESHOLD.isoformat()
    assert not Case.objects.filter(member=after).exists()


def test_suspended_removed_and_other_statuses_are_skipped(world) -> None:
    for status in MemberStatus.values:
        if status != MemberStatus.NORMAL:
            make_member(world.branch, status=status, last_contact_date=dt.date(2020, 1, 1))
    assert detect_lost_contact(as_of=AS_OF).opened == 0
    assert Case.objects.count() == 0


def test_probationary_members_are_included(world) -> None:
    member = make_member(
        world.branch,
        membership_type=MembershipType.PROBATIONARY,
        last_contact_date=dt.date(2020, 1, 1),
    )
    detect_lost_contact(as_of=AS_OF)
    assert Case.objects.filter(member=member).exists()


def test_a_member_with_an_open_case_is_counted_not_reopened(world) -> None:
    member = make_member(world.branch, last_contact_date=dt.date(2020, 1, 1))
    Case.objects.create(member=member, organisation=world.branch, rule_set="2024")
    result = detect_lost_contact(as_of=AS_OF)
    assert (result.opened, result.already_open) == (0, 1)
    assert Case.objects.count() == 1


def test_a_member_whose_case_closed_gets_a_new_case(world) -> None:
    member = make_member(world.branch, last_contact_date=dt.date(2020, 1, 1))
    Case.objects.create(member=member, organisation=world.branch, rule_set="2024")
    Case.objects.filter(member=member).update(status=CaseStatus.CLOSED)
    assert detect_lost_contact(as_of=AS_OF).opened == 1
    assert Case.objects.filter(member=member).count() == 2


def test_without_a_contact_date_the_clock_starts_at_the_join_date(world) -> None:
    old = make_member(world.branch, join_date=dt.date(2000, 7, 1))
    new = make_member(world.branch, join_date=AS_OF - dt.timedelta(days=10))
    detect_lost_contact(as_of=AS_OF)
    assert Case.objects.filter(member=old).exists()
    assert not Case.objects.filter(member=new).exists()


def test_without_any_date_the_clock_starts_when_the_record_was_created(world) -> None:
    member = make_member(world.branch)
    assert detect_lost_contact(as_of=AS_OF).opened == 0  # created today, long after AS_OF - 6m
    far_future = dt.date.today().replace(year=dt.date.today().year + 1)
    detect_lost_contact(as_of=far_future)
    assert Case.objects.filter(member=member).exists()


def test_a_second_run_opens_nothing(world) -> None:
    for _ in range(3):
        make_member(world.branch, last_contact_date=dt.date(2020, 1, 1))
    make_member(world.branch, last_contact_date=AT_RISK)
    first = detect_lost_contact(as_of=AS_OF)
    second = detect_lost_contact(as_of=AS_OF)
    assert (first.opened, first.already_open, first.at_risk, first.reminded) == (3, 0, 1, 1)
    assert (second.opened, second.already_open, second.at_risk, second.reminded) == (0, 3, 1, 0)
    assert Case.objects.count() == 3
    assert AtRiskReminder.objects.count() == 1


def test_each_opened_case_has_an_audit_event_and_the_chain_holds(world) -> None:
    make_member(world.branch, last_contact_date=dt.date(2020, 1, 1))
    make_member(world.sibling_branch, last_contact_date=dt.date(2020, 1, 1))
    detect_lost_contact(as_of=AS_OF)
    events = AuditEvent.objects.filter(action="case.open")
    assert sorted(int(e.object_id) for e in events) == sorted(
        Case.objects.values_list("pk", flat=True)
    )
    assert {e.organisation_id for e in events} == {world.branch.pk, world.sibling_branch.pk}
    assert verify_audit_chain() == []


def test_each_opened_case_starts_its_timeline_and_an_older_case_gets_no_second_entry(
    world,
) -> None:
    lost = make_member(world.branch, last_contact_date=dt.date(2020, 1, 1))
    detect_lost_contact(as_of=AS_OF)
    other = make_member(world.sibling_branch, last_contact_date=dt.date(2020, 1, 1))
    detect_lost_contact(as_of=AS_OF)  # the second night opens only the new member's case
    for member in (lost, other):
        case = Case.objects.get(member=member)
        (entry,) = TimelineEntry.objects.filter(case=case)
        assert (entry.action, entry.from_status, entry.to_status) == (
            "case.open",
            "",
            CaseStatus.REGISTERED,
        )
        assert entry.comment == "失联排查自动立案"
        assert entry.details == {"member": member.pk, "source": "detection", "as_of": "2026-03-31"}
        assert entry.at == case.opened_at


def test_the_circumstance_code_is_guessed_from_the_record(world) -> None:
    old = dt.date(2020, 1, 1)
    abroad = make_member(world.branch, is_abroad=True, last_contact_date=old)
    migrant = make_member(world.branch, key_groups=KeyGroup.MIGRANT, last_contact_date=old)
    graduate = make_member(
        world.branch, key_groups=KeyGroup.GRADUATE | KeyGroup.ELSEWHERE, last_contact_date=old
    )
    student = make_member(world.branch, occupation="毕业生", last_contact_date=old)
    moved = make_member(world.branch, key_groups=KeyGroup.ELSEWHERE, last_contact_date=old)
    other = make_member(world.branch, last_contact_date=old)
    detect_lost_contact(as_of=AS_OF)
    codes = dict(Case.objects.values_list("member_id", "circumstance"))
    assert codes == {
        abroad.pk: Circumstance.ABROAD,
        migrant.pk: Circumstance.MIGRANT,
        graduate.pk: Circumstance.GRADUATE,
        student.pk: Circumstance.GRADUATE,
        moved.pk: Circumstance.MOVED,
        other.pk: Circumstance.OTHER,
    }


def test_dry_run_counts_and_writes_nothing(world) -> None:
    make_member(world.branch, last_contact_date=dt.date(2020, 1, 1), contact_officer=world.officer)
    make_member(world.branch, last_contact_date=AT_RISK, contact_officer=world.officer)
    events_before = AuditEvent.objects.count()
    result = detect_lost_contact(as_of=AS_OF, dry_run=True)
    assert (result.opened, result.at_risk) == (1, 1)
    assert Case.objects.count() == 0
    assert AtRiskReminder.objects.count() == 0
    assert Notification.objects.count() == 0
    assert AuditEvent.objects.count() == events_before


def test_at_risk_members_remind_their_officer_once_per_window(
    world, django_capture_on_commit_callbacks
) -> None:
    world.officer.email = "officer@example.org"
    world.officer.save()
    member = make_member(world.branch, last_contact_date=AT_RISK, contact_officer=world.officer)
    make_member(world.branch, last_contact_date=AT_RISK + dt.timedelta(1))  # not yet at risk
    with django_capture_on_commit_callbacks(execute=True):
        detect_lost_contact(as_of=AS_OF)
    with django_capture_on_commit_callbacks(execute=True):
        detect_lost_contact(as_of=AS_OF + dt.timedelta(days=1))  # next night: no spam
    assert Notification.objects.filter(user=world.officer).count() == 1
    assert Notification.objects.get().object_id == str(member.pk)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["officer@example.org"]
    assert "13800138000" not in mail.outbox[0].body
    # A contact then silence again opens a new window: one more reminder.
    Member.objects.filter(pk=member.pk).update(last_contact_date=dt.date(2026, 1, 15))
    with django_capture_on_commit_callbacks(execute=True):
        detect_lost_contact(as_of=dt.date(2026, 4, 20))
    assert AtRiskReminder.objects.filter(member=member).count() == 2


def test_an_officer_without_email_gets_only_the_in_app_notification(
    world, django_capture_on_commit_callbacks
) -> None:
    make_member(world.branch, last_contact_date=AT_RISK, contact_officer=world.officer)
    with django_capture_on_commit_callbacks(execute=True):
        detect_lost_contact(as_of=AS_OF)
    assert Notification.objects.count() == 1
    assert mail.outbox == []


def test_the_org_option_limits_the_sweep_to_a_subtree(world) -> None:
    inside = make_member(world.branch, last_contact_date=dt.date(2020, 1, 1))
    make_member(world.other_branch, last_contact_date=dt.date(2020, 1, 1))
    detect_lost_contact(as_of=AS_OF, org=world.general_branch)
    assert list(Case.objects.values_list("member_id", flat=True)) == [inside.pk]


def test_opened_cases_are_handed_to_registered_hooks_inside_the_sweeps_transaction(
    world, django_capture_on_commit_callbacks
) -> None:
    received: list[list[int]] = []

    def hook(case_ids: list[int], actor: object) -> None:
        received.append(case_ids)

    hooks.cases_opened.register(hook)
    try:
        make_member(world.branch, last_contact_date=dt.date(2020, 1, 1))
        with django_capture_on_commit_callbacks(execute=False):
            detect_lost_contact(as_of=AS_OF)
    finally:
        hooks.cases_opened.unregister(hook)
    case_ids = list(Case.objects.values_list("pk", flat=True))
    assert received == [case_ids]
    # the workflow layer's hook queued the start of the processes in the same transaction
    message = OutboxMessage.objects.get(kind="case.processes_start")
    assert message.payload == {"case_ids": case_ids}


def test_the_query_count_does_not_grow_with_members(world, django_assert_max_num_queries) -> None:
    for _ in range(30):
        make_member(world.branch, last_contact_date=dt.date(2020, 1, 1))
        make_member(world.branch, last_contact_date=AT_RISK, contact_officer=world.officer)
    # 17: a constant two of them are outbox rows (start the processes, email the reminders),
    # one the track cases' INSERT (casework/services/tracks.py)
    with django_assert_max_num_queries(17):
        result = detect_lost_contact(as_of=AS_OF)
    assert (result.opened, result.reminded) == (30, 30)


def test_chunks_respect_the_member_limit(world) -> None:
    for org in (world.branch, world.sibling_branch, world.other_branch):
        make_member(org)
        make_member(org)
    assert detection_chunks(max_members=4) == [
        [world.branch.pk, world.sibling_branch.pk],
        [world.other_branch.pk],
    ]


def test_the_command_prints_json_and_honours_dry_run(world) -> None:
    make_member(world.branch, last_contact_date=dt.date(2020, 1, 1))
    out = StringIO()
    call_command("detect_lost_contact", "--as-of", "2026-03-31", "--dry-run", "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert (figures["opened"], figures["at_risk"], figures["already_open"]) == (1, 0, 0)
    assert Case.objects.count() == 0
    out = StringIO()
    call_command(
        "detect_lost_contact",
        "--as-of",
        "2026-03-31",
        "--org",
        world.committee.code,
        "--json",
        stdout=out,
    )
    assert json.loads(out.getvalue())["opened"] == 1
    assert Case.objects.count() == 1


def test_the_beat_task_fans_out_and_opens_cases(world, django_capture_on_commit_callbacks) -> None:
    from casework.tasks import detect_lost_contact_task

    make_member(world.branch, last_contact_date=dt.date(2020, 1, 1))
    make_member(world.other_branch, last_contact_date=dt.date(2020, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert detect_lost_contact_task.apply(args=["2026-03-31"]).get() == 1
    assert OutboxMessage.objects.get(kind="detection.chunk").state == OutboxState.DONE
    assert Case.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_never_double_open() -> None:
    from tests.factories import build_world

    world = build_world()
    for org in (world.branch, world.sibling_branch, world.other_branch):
        for _ in range(40):
            make_member(org, last_contact_date=dt.date(2020, 1, 1))
    barrier = threading.Barrier(2)
    results: list[object] = []

    def sweep() -> None:
        try:
            barrier.wait()
            results.append(detect_lost_contact(as_of=AS_OF))
        except Exception as exc:  # collected and asserted below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.opened for r in results) == 120  # type: ignore[attr-defined]
    assert Case.objects.count() == 120
    assert AuditEvent.objects.filter(action="case.open").count() == 120
    assert verify_audit_chain() == []
