"""Issue 16: 自行脱党 among members who can be reached, and members abroad for five years or
more — each a case on its own track, opened by the nightly sweep (or by an officer), at the
proposal, with the one outcome its rule allows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.audit import verify_audit_chain
from casework.errors import Conflict, DomainError, PermissionDenied
from casework.models import (
    AuditEvent,
    Case,
    CaseStatus,
    CaseTrack,
    Member,
    Proposal,
    TimelineEntry,
)
from casework.policy import add_months
from casework.services import cases as svc
from casework.services.detection import detect_lost_contact
from casework.services.ledgers import (
    abroad_record_create,
    abroad_return_record,
    contact_attempt_record,
    meeting_record,
)
from casework.services.tracks import case_open_track
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def months_ago(n: int, days: int = 0) -> dt.date:
    return add_months(today(), -n) - dt.timedelta(days=days)


def reachable(world, **kw):
    """A member the branch reached recently (a contact last week), with the given ledgers."""
    defaults = {
        "last_contact_date": today() - dt.timedelta(days=7),
        "last_org_life_date": months_ago(1),
        "dues_paid_until": months_ago(1).replace(day=1),
        "join_date": dt.date(2010, 7, 1),
    }
    return make_member(world.branch, **{**defaults, **kw})


def test_six_months_without_organisational_life_opens_a_self_withdrawal_case(world) -> None:
    lapsed = reachable(world, name="不参加", last_org_life_date=months_ago(6))
    reachable(world, name="差一天", last_org_life_date=months_ago(6) + dt.timedelta(days=1))
    result = detect_lost_contact(as_of=today())
    assert (result.opened, result.tracks_opened) == (0, 1)
    case = Case.objects.get()
    assert (case.member_id, case.track, case.status) == (
        lapsed.pk,
        CaseTrack.SELF_WITHDRAWAL,
        CaseStatus.PROPOSAL,
    )
    assert case.evidence["no_org_life"] and not case.evidence["no_dues"]
    assert case.evidence["self_withdrawal_months"] == 6
    assert case.evidence["last_org_life_date"] == months_ago(6).isoformat()


def test_six_whole_months_of_unpaid_dues_open_a_self_withdrawal_case(world) -> None:
    # paid up to the month seven months back: the six months after it are unpaid
    unpaid = reachable(world, name="欠费", dues_paid_until=months_ago(7).replace(day=1))
    reachable(world, name="欠五个月", dues_paid_until=months_ago(5).replace(day=1))
    assert detect_lost_contact(as_of=today()).tracks_opened == 1
    case = Case.objects.get()
    assert case.member_id == unpaid.pk and case.evidence["no_dues"]


def test_an_answered_phone_call_does_not_reset_the_self_withdrawal_clock(world) -> None:
    member = reachable(world, last_org_life_date=months_ago(8), last_contact_date=months_ago(2))
    contact_attempt_record(member=member, actor=world.officer, channel="phone", outcome="reached")
    member.refresh_from_db()
    assert member.last_contact_date == today()  # the lost-contact clock restarts …
    assert detect_lost_contact(as_of=today()).tracks_opened == 1  # … this one does not
    assert Case.objects.get(member=member).track == CaseTrack.SELF_WITHDRAWAL


def test_attending_a_meeting_resets_the_clock_and_an_excused_absence_is_a_good_reason(
    world,
) -> None:
    attended = reachable(world, name="参会", last_org_life_date=months_ago(9))
    excused = reachable(world, name="请假", last_org_life_date=months_ago(9))
    absent = reachable(world, name="缺席", last_org_life_date=months_ago(9))
    meeting_record(
        organisation=world.branch,
        kind="branch_general",
        held_on=today() - dt.timedelta(days=10),
        attendance={attended.pk: "present", excused.pk: "excused", absent.pk: "absent"},
        actor=world.secretary,
    )
    assert detect_lost_contact(as_of=today()).tracks_opened == 1
    assert list(Case.objects.values_list("member_id", flat=True)) == [absent.pk]


def test_a_lost_member_gets_the_lost_contact_case_and_missing_ledgers_are_no_evidence(
    world,
) -> None:
    lost = reachable(world, name="失联", last_contact_date=months_ago(7), last_org_life_date=None)
    reachable(world, name="无记录", last_org_life_date=None, dues_paid_until=None)
    result = detect_lost_contact(as_of=today())
    assert (result.opened, result.tracks_opened) == (1, 0)
    assert Case.objects.get().member_id == lost.pk
    assert Case.objects.get().track == CaseTrack.LOST_CONTACT


def test_the_sweep_never_opens_a_track_case_twice(world) -> None:
    member = reachable(world, last_org_life_date=months_ago(10))
    assert detect_lost_contact(as_of=today()).tracks_opened == 1
    assert detect_lost_contact(as_of=today()).tracks_opened == 0
    case = Case.objects.get(member=member)
    # withdrawn (a good reason the records did not show): not reopened within the window
    svc.case_withdraw(
        case=case, actor=world.secretary, reason_code="opened_in_error", reason="外出务工已请假"
    )
    assert detect_lost_contact(as_of=today()).tracks_opened == 0
    assert Case.objects.filter(member=member).count() == 1
    # … but once the window has passed anew with still nothing, it is
    later = add_months(today(), 7)
    Member.objects.filter(pk=member.pk).update(last_contact_date=later - dt.timedelta(days=3))
    assert detect_lost_contact(as_of=later).tracks_opened == 1


def test_each_track_case_has_its_audit_event_and_timeline_entry(world) -> None:
    reachable(world, last_org_life_date=months_ago(10))
    detect_lost_contact(as_of=today())
    case = Case.objects.get()
    event = AuditEvent.objects.get(action="case.open", object_id=str(case.pk))
    assert event.after["track"] == "self_withdrawal" and event.after["status"] == "proposal"
    entry = TimelineEntry.objects.get(case=case, action="case.open")
    assert entry.to_status == "proposal" and "自行脱党" in entry.comment
    assert verify_audit_chain() == []


def _abroad(world, *, left_years: float, purpose: str, **kw):
    member = reachable(world, **kw)
    left_on = today() - dt.timedelta(days=int(365.25 * left_years))
    record = abroad_record_create(
        member=member, destination="某国", left_on=left_on, actor=world.officer, purpose=purpose
    )
    return member, record


def test_five_years_settled_or_studying_abroad_opens_an_abroad_case(world) -> None:
    study, _ = _abroad(world, left_years=5.1, purpose="留学", last_org_life_date=months_ago(60))
    settled, _ = _abroad(world, left_years=8, purpose="定居", name="定居")
    _abroad(world, left_years=4.5, purpose="留学", name="四年半")
    _abroad(world, left_years=6, purpose="务工", name="务工")
    _member, back = _abroad(world, left_years=7, purpose="学习", name="已回国")
    abroad_return_record(
        record=back, returned_on=today() - dt.timedelta(days=3), actor=world.officer
    )
    _abroad(world, left_years=6, purpose="留学", name="预备", membership_type="probationary")
    result = detect_lost_contact(as_of=today())
    assert result.tracks_opened == 2
    cases = {c.member_id: c for c in Case.objects.all()}
    assert set(cases) == {study.pk, settled.pk}
    assert all(c.track == CaseTrack.ABROAD for c in cases.values())
    assert cases[study.pk].circumstance == "5" and cases[study.pk].evidence["left_on"]
    # abroad (an open record) is a good reason: the four-year student, the worker and the
    # probationary member without organisational life get no self-withdrawal case either


def test_an_officer_opens_a_track_case_only_when_the_records_bear_it_out(world) -> None:
    lapsed = reachable(world, last_org_life_date=months_ago(7))
    active = reachable(world, name="正常")
    with pytest.raises(DomainError) as not_met:
        case_open_track(member=active, actor=world.officer, track="self_withdrawal")
    assert not_met.value.code == "track_not_met" and "6个月" in str(not_met.value.message)
    with pytest.raises(PermissionDenied):
        case_open_track(member=lapsed, actor=world.outsider, track="self_withdrawal")
    with pytest.raises(DomainError):
        case_open_track(member=lapsed, actor=world.officer, track="lost_contact")
    case = case_open_track(member=lapsed, actor=world.officer, track="self_withdrawal")
    assert (case.status, case.track, case.opened_by_id) == (
        CaseStatus.PROPOSAL,
        CaseTrack.SELF_WITHDRAWAL,
        world.officer.pk,
    )
    with pytest.raises(Conflict):
        case_open_track(member=lapsed, actor=world.officer, track="self_withdrawal")
    assert Case.objects.filter(member=lapsed).count() == 1


def test_a_track_case_allows_only_its_outcome_on_its_ground(world) -> None:
    lapsed = reachable(world, last_org_life_date=months_ago(7))
    case = case_open_track(member=lapsed, actor=world.officer, track="self_withdrawal")
    with pytest.raises(DomainError) as wrong_kind:
        svc.case_propose(case=case, actor=world.secretary, kind="persuade", grounds=["slack_work"])
    assert wrong_kind.value.code == "kind_not_on_track" and "除名" in str(wrong_kind.value.message)
    with pytest.raises(DomainError) as wrong_ground:
        svc.case_propose(case=case, actor=world.secretary, kind="remove", grounds=["slack_work"])
    assert wrong_ground.value.code == "ground_not_on_track"
    case = svc.case_propose(case=case, actor=world.secretary, kind="remove", reasons="连续不参加")
    assert case.status == CaseStatus.PRE_REVIEW
    assert Proposal.objects.get(pk=case.current_proposal_id or 0).grounds == ["self_withdrawal"]


def test_the_abroad_ground_belongs_to_the_abroad_track(world) -> None:
    member = make_member(world.branch)
    case = svc.case_open(member=member, actor=world.officer)
    case.__class__.objects.filter(pk=case.pk).update(status=CaseStatus.NOT_LOCATED)
    case.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        svc.case_propose(case=case, actor=world.secretary, kind="suspend", grounds=["abroad"])
    assert refused.value.code == "ground_not_on_track"


def test_a_member_whose_case_just_closed_waits_a_window_before_a_track_case(world) -> None:
    member = reachable(world, last_org_life_date=months_ago(9))
    case = svc.case_open(member=member, actor=world.officer)
    svc.case_withdraw(case=case, actor=world.secretary, reason_code="opened_in_error", reason="误")
    assert detect_lost_contact(as_of=today()).tracks_opened == 0
    later = add_months(today(), 7)
    Member.objects.filter(pk=member.pk).update(last_contact_date=later - dt.timedelta(days=3))
    assert detect_lost_contact(as_of=later).tracks_opened == 1


def test_a_probationary_member_who_left_of_their_own_accord_has_the_probation_annulled(
    world,
) -> None:
    from workflows.case.steps import STEP_BY_NAME

    member = reachable(world, last_org_life_date=months_ago(7), membership_type="probationary")
    case = case_open_track(member=member, actor=world.officer, track="self_withdrawal")
    form = STEP_BY_NAME["propose"].form_for(case=case, user=world.secretary)
    choices = form.fields["kind"].choices  # type: ignore[attr-defined]
    assert [value for value, _label in choices] == ["annul_probation"]
    with pytest.raises(DomainError) as removal:
        svc.case_propose(case=case, actor=world.secretary, kind="remove", reasons="不参加")
    assert removal.value.code == "kind_not_on_track"
    case = svc.case_propose(case=case, actor=world.secretary, kind="annul_probation", reasons="理")
    assert Proposal.objects.get(pk=case.current_proposal_id or 0).grounds == ["self_withdrawal"]
