"""One full lifecycle per outcome, through the service layer only."""

import pytest

from casework.errors import DomainError
from casework.models import (
    AuditEvent,
    Case,
    CaseStatus,
    ClockKind,
    Decision,
    Member,
    MemberStatus,
    TimelineEntry,
)
from casework.services import cases as svc
from tests.casework.case_helpers import decide, locate, search_fails
from tests.factories import make_member


@pytest.fixture
def case(world):
    member = make_member(world.branch)
    return svc.case_open(member=member, actor=world.officer, circumstance="1")


def _member(case: Case) -> Member:
    return Member.objects.get(pk=case.member_id)


def _assert_every_step_audited(case: Case) -> None:
    steps = TimelineEntry.objects.filter(case=case).count()
    audited = (
        AuditEvent.objects.filter(action__startswith=("case.")).filter(after__case=case.pk).count()
        + AuditEvent.objects.filter(action__startswith="inquiry.")
        .filter(after__case=case.pk)
        .count()
    )
    assert steps == audited


def test_located_with_an_objective_cause_goes_back_to_normal(world, case) -> None:
    case = locate(world, case)
    case = svc.case_assess_cause(case=case, actor=world.officer, cause="objective")
    assert case.status == CaseStatus.APPROVAL
    case = svc.case_approve(case=case, actor=world.approver)
    case = svc.case_close(case=case, actor=world.officer)
    assert case.status == CaseStatus.CLOSED and case.outcome == "return_to_normal"
    assert _member(case).status == MemberStatus.NORMAL
    _assert_every_step_audited(case)


def test_located_then_correction_then_corrected_closes(world, case) -> None:
    case = locate(world, case)
    case = svc.case_assess_cause(case=case, actor=world.officer, cause="subjective")
    case = decide(world, case, "correction", ["slack_work"])
    assert case.status == CaseStatus.IN_FORCE and case.clock_kind == ClockKind.CORRECTION
    with pytest.raises(DomainError):
        svc.case_close(case=case, actor=world.officer)
    due = case.clock_due
    case = svc.case_review_correction(case=case, actor=world.officer, corrected=True, as_of=due)
    assert case.status == CaseStatus.CLOSED and case.outcome == "corrected"
    assert _member(case).status == MemberStatus.NORMAL
    _assert_every_step_audited(case)


def test_correction_not_corrected_leads_to_removal(world, case) -> None:
    case = locate(world, case)
    case = svc.case_assess_cause(case=case, actor=world.officer, cause="subjective")
    case = decide(world, case, "correction", ["lax_discipline"])
    with pytest.raises(DomainError):
        svc.case_review_correction(case=case, actor=world.officer, corrected=False)
    case = svc.case_review_correction(
        case=case, actor=world.officer, corrected=False, as_of=case.clock_due
    )
    assert case.status == CaseStatus.PROPOSAL
    assert case.suggested_kinds == ["persuade", "remove"]
    case = decide(world, case, "remove", ["lax_discipline"])
    assert _member(case).status == MemberStatus.REMOVED
    case = svc.case_close(case=case, actor=world.officer)
    assert case.outcome == "remove"
    assert Decision.objects.filter(case=case).count() == 2
    _assert_every_step_audited(case)


def test_not_located_then_suspended_then_restored(world, case) -> None:
    case = search_fails(world, case)
    assert case.status == CaseStatus.NOT_LOCATED and case.suggested_kinds == ["suspend"]
    case = decide(world, case, "suspend")
    assert _member(case).status == MemberStatus.SUSPENDED
    assert case.clock_kind == ClockKind.SUSPENSION
    case = svc.case_apply_for_restoration(
        case=case, actor=world.officer, applied_on=case.clock_due, application="本人申请恢复党籍"
    )
    case = decide(world, case, "restore")
    assert _member(case).status == MemberStatus.NORMAL
    case = svc.case_close(case=case, actor=world.officer)
    assert case.status == CaseStatus.CLOSED and case.outcome == "restore"
    _assert_every_step_audited(case)


def test_suspended_and_unreachable_for_24_months_is_removed(world, case) -> None:
    case = search_fails(world, case)
    case = decide(world, case, "suspend")
    due = case.clock_due
    assert (due.year - case.opened_at.year) * 12 + due.month - case.opened_at.month == 24
    with pytest.raises(DomainError):
        svc.case_expire_suspension(case=case, as_of=due.replace(day=1) if due.day > 1 else due)
    case = svc.case_expire_suspension(case=case, as_of=due)
    assert case.status == CaseStatus.PROPOSAL and case.suggested_kinds == ["remove"]
    with pytest.raises(DomainError):
        svc.case_propose(case=case, actor=world.officer, kind="remove", grounds=[])
    case = decide(world, case, "remove", ["self_withdrawal"])
    assert _member(case).status == MemberStatus.REMOVED
    assert svc.case_close(case=case, actor=world.officer).status == CaseStatus.CLOSED


def test_a_probationary_member_not_found_has_the_probation_annulled(world) -> None:
    member = make_member(world.branch, membership_type="probationary")
    case = svc.case_open(member=member, actor=world.officer)
    case = search_fails(world, case)
    assert case.suggested_kinds == ["annul_probation"]
    with pytest.raises(DomainError, match="预备党员"):
        svc.case_propose(case=case, actor=world.officer, kind="suspend")
    case = decide(world, case, "annul_probation")
    assert _member(case).status == MemberStatus.PROBATION_ANNULLED
    assert svc.case_close(case=case, actor=world.officer).outcome == "annul_probation"


def test_a_case_is_withdrawn_when_the_member_died(world, case) -> None:
    case = svc.case_start_outreach(case=case, actor=world.officer)
    case = svc.case_withdraw(
        case=case, actor=world.secretary, reason_code="deceased", reason="家属告知已病故"
    )
    assert case.status == CaseStatus.WITHDRAWN and case.withdraw_reason == "deceased"
    assert _member(case).status == MemberStatus.DECEASED
    _assert_every_step_audited(case)
