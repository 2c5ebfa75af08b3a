"""Issue 16: the two tracks through the flow's tasks — 自行脱党 (reachable, six months without
organisational life → removal by the branch meeting, committee approval) and a member abroad
five years or more (→ suspension, no two-year clock). Opened by the nightly sweep, started at
the proposal; every step completed by a user picked by the task's seat."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.errors import Conflict, InvalidData, PermissionDenied
from casework.models import (
    Case,
    CaseStatus,
    CaseTrack,
    ClockKind,
    MemberStatus,
    Proposal,
)
from casework.policy import add_months
from casework.services import cases as svc
from casework.services.detection import detect_lost_contact
from casework.services.ledgers import abroad_record_create
from documents.render import render_pdf
from documents.services import issuer_of
from tests.documents import pdfcheck
from tests.factories import make_member
from tests.workflows.flow_helpers import open_nodes, open_task, step, today
from tests.workflows.route_helpers import (
    MEETING_PASSES,
    act,
    approve,
    is_open,
    kinds,
    last_document,
    text_of,
)

pytestmark = pytest.mark.django_db


def _sweep(django_capture_on_commit_callbacks) -> Case:
    with django_capture_on_commit_callbacks(execute=True):
        assert detect_lost_contact(as_of=today()).tracks_opened == 1
    return Case.objects.select_related("member", "organisation").get()


def self_withdrawal_case(world, django_capture_on_commit_callbacks) -> Case:
    make_member(
        world.branch,
        name="李脱",
        join_date=dt.date(2012, 7, 1),
        last_contact_date=today() - dt.timedelta(days=5),  # reached last week
        last_org_life_date=add_months(today(), -8),
        dues_paid_until=add_months(today(), -1).replace(day=1),
    )
    return _sweep(django_capture_on_commit_callbacks)


def abroad_case(world, django_capture_on_commit_callbacks) -> Case:
    member = make_member(
        world.branch,
        name="王远",
        join_date=dt.date(2008, 7, 1),
        last_contact_date=today() - dt.timedelta(days=30),
    )
    abroad_record_create(
        member=member,
        destination="某国",
        purpose="留学",
        left_on=today() - dt.timedelta(days=int(365.25 * 6)),
        actor=world.officer,
    )
    return _sweep(django_capture_on_commit_callbacks)


def _to_meeting(case: Case, kind: str, how: str) -> Case:
    case = act(case, "propose", kind=kind, grounds=[], reasons="经支委会研究，情况属实")
    while is_open(case, "pre_review"):
        case = act(case, "pre_review", decision="agree")
    case = act(case, "notice", notified_on=today(), how=how)
    return act(case, "defence", defence_text="本人无异议")


def _pdf_text(document, tmp_path) -> str:
    pdf = render_pdf(
        kind=document.kind,
        issuer=issuer_of(document.issuer),
        context=document.context,
        number=document.number or "",
        verify_code=document.verify_code,
    )
    path = tmp_path / f"{document.kind}.pdf"
    path.write_bytes(pdf)
    return pdfcheck.text(path)


def test_self_withdrawal_removal_through_the_flow(
    world, django_capture_on_commit_callbacks, tmp_path
) -> None:
    case = self_withdrawal_case(world, django_capture_on_commit_callbacks)
    assert (case.track, case.status) == (CaseTrack.SELF_WITHDRAWAL, CaseStatus.PROPOSAL)
    assert open_nodes(case) == ["propose"]  # no search: the member can be reached
    assert "register_form" not in kinds(case)
    # the task offers the track's outcome only, on its ground
    from workflows.case.steps import STEP_BY_NAME

    form = STEP_BY_NAME["propose"].form_for(case=case, user=world.secretary)
    choices = form.fields["kind"].choices  # type: ignore[attr-defined]
    assert [value for value, _label in choices] == ["remove"]
    with pytest.raises(PermissionDenied):  # a contact officer does not hold the seat
        step(case, "propose", world.officer, kind="remove", grounds=[], reasons="理由")
    with pytest.raises(InvalidData):
        act(case, "propose", kind="persuade", grounds=["slack_work"], reasons="理由")
    case = _to_meeting(case, "remove", how="in_person")  # reachable: told in person
    assert Proposal.objects.get(pk=case.current_proposal_id or 0).grounds == ["self_withdrawal"]
    case = act(case, "meeting", **{**MEETING_PASSES, "held_on": today()})
    assert case.status == CaseStatus.APPROVAL
    case = approve(case, world, decision="agree", comment="同意")
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_FORCE and case.member.status == MemberStatus.REMOVED
    assert (case.clock_kind, case.clock_due) == (ClockKind.NONE, None)
    assert open_nodes(case) == ["close"]
    decision = last_document(case, "decision_removal")
    printed = _pdf_text(decision, tmp_path)
    assert "按自行脱党予以除名" in printed and "《中国共产党章程》第九条" in printed
    assert "连续六个月以上无正当理由不参加党的组织生活" in printed
    assert "失去联系" not in printed and "查找" not in printed
    form_text = text_of(last_document(case, "approval_form"))
    assert "基本情况" in form_text and "失联情形" not in form_text
    case = act(case, "close", comment="归档")
    assert case.status == CaseStatus.CLOSED and open_nodes(case) == []
    assert "自行脱党处置案卷" in text_of(last_document(case, "dossier"))
    # twice: nothing left to do
    assert not is_open(case, "close")
    with pytest.raises(Conflict):
        svc.case_close(case=case, actor=world.officer)


def test_abroad_suspension_through_the_flow_has_no_two_year_clock(
    world, django_capture_on_commit_callbacks, tmp_path
) -> None:
    case = abroad_case(world, django_capture_on_commit_callbacks)
    assert (case.track, case.status, case.circumstance) == (
        CaseTrack.ABROAD,
        CaseStatus.PROPOSAL,
        "5",
    )
    assert open_nodes(case) == ["propose"]
    with pytest.raises(InvalidData):
        act(case, "propose", kind="remove", grounds=["self_withdrawal"], reasons="理由")
    case = _to_meeting(case, "suspend", how="post")
    assert Proposal.objects.get(pk=case.current_proposal_id or 0).grounds == ["abroad"]
    case = act(case, "meeting", **{**MEETING_PASSES, "held_on": today()})
    with pytest.raises(PermissionDenied):  # four-eyes: the proposer may not approve
        step(case, "approval", world.secretary, decision="agree")
    case = approve(case, world, decision="agree")
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_FORCE and case.member.status == MemberStatus.SUSPENDED
    assert (case.clock_kind, case.clock_due) == (ClockKind.NONE, None)
    assert open_nodes(case) == ["close"]  # no restoration wait, no removal after two years
    printed = _pdf_text(last_document(case, "decision_suspension"), tmp_path)
    assert "出国（境）（留学），至今已满五年未回国" in printed
    assert "回国后要求恢复党籍的" in printed and "自行脱党" not in printed
    case = act(case, "close", comment="归档")
    assert case.status == CaseStatus.CLOSED


def test_the_committee_may_refuse_a_track_case_and_close_it(
    world, django_capture_on_commit_callbacks
) -> None:
    case = self_withdrawal_case(world, django_capture_on_commit_callbacks)
    case = _to_meeting(case, "remove", how="in_person")
    case = act(case, "meeting", **{**MEETING_PASSES, "held_on": today()})
    case = approve(case, world, decision="refuse", then="close", comment="外出务工，已请假")
    assert case.status == CaseStatus.CLOSED and case.member.status == MemberStatus.NORMAL
    assert "不同意" in text_of(last_document(case, "reply"))


def test_a_track_case_due_dates_and_seat_are_those_of_the_proposal_step(
    world, django_capture_on_commit_callbacks
) -> None:
    case = abroad_case(world, django_capture_on_commit_callbacks)
    due = open_task(case, "propose")
    assert due.role == "branch_secretary" and due.role_organisation_id == world.branch.pk
    assert due.due_at > timezone.now()
