"""Issue 16: the member appeals (申诉) against a decision in force — received, a task in the
queue of the organ above the one that decided, upheld or revoked through the flow's task,
documented; the decision's clocks run on while it is pending. Acting users picked by seat."""

from __future__ import annotations

import datetime as dt

import pytest
from viewflow.workflow.status import PROCESS

from casework.errors import Conflict, DomainError, PermissionDenied
from casework.models import Appeal, AppealOutcome, AuditEvent, CaseStatus, ClockKind, MemberStatus
from casework.services import cases as svc
from tests.workflows.flow_helpers import locate_and_assess, open_case, open_nodes, step, today
from tests.workflows.route_helpers import act, approve, last_document, not_located, text_of
from tests.workflows.route_helpers import to_approval as _to_approval
from workflows import services
from workflows.models import CaseProcess, TaskDue

pytestmark = pytest.mark.django_db


def _suspended(world, capture):
    case = open_case(world, capture)
    case = _to_approval(world, not_located(world, case), "suspend")
    return approve(case, world, decision="agree")


def _removed_and_closed(world, capture):
    case = locate_and_assess(world, open_case(world, capture), cause="unfit")
    case = _to_approval(world, case, "remove", ["lax_discipline"])
    case = approve(case, world, decision="agree")
    case = act(case, "close", comment="归档")
    assert case.status == CaseStatus.CLOSED and case.member.status == MemberStatus.REMOVED
    return case


def _file(case, world, actor=None, **kw):
    data = {"grounds": "本人一直在外地务工，并非故意失联。", "received_on": today(), **kw}
    return services.appeal_file(case=case, actor=actor or world.officer, **data)


def test_an_upheld_appeal_keeps_the_suspension_and_its_clock(
    world, django_capture_on_commit_callbacks
):
    case = _suspended(world, django_capture_on_commit_callbacks)
    due = case.clock_due
    appeal = _file(case, world)
    assert appeal.organisation == world.department and appeal.is_pending
    # the review is a task of the organ above the committee that decided (here the
    # organisation department: its coordinators), beside the main path's restoration step
    review = TaskDue.objects.get(case=case, node="appeal_review", state="open")
    assert (review.role, review.role_organisation) == ("coordinator", world.department)
    assert open_nodes(case) == ["appeal_review", "restoration", "restoration__timeout"]
    ack = last_document(case, "appeal_acknowledgement")
    assert ack.issuer == world.department and ack.number and ack.verify_code
    text = text_of(ack)
    assert f"{case.member.name}同志" in text and "受理" in text
    assert f"{today().year}年{today().month}月{today().day}日" in text
    # pending: the decision stays in force and its clock runs on
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_FORCE
    assert (case.clock_kind, case.clock_due) == (ClockKind.SUSPENSION, due)
    case = act(case, "appeal_review", outcome="upheld", reason="原决定事实清楚，程序合规。")
    appeal.refresh_from_db()
    assert appeal.outcome == AppealOutcome.UPHELD and appeal.decided_by == world.coordinator
    assert case.status == CaseStatus.IN_FORCE and case.member.status == MemberStatus.SUSPENDED
    assert (case.clock_kind, case.clock_due) == (ClockKind.SUSPENSION, due)
    assert open_nodes(case) == ["restoration", "restoration__timeout"]
    reply = last_document(case, "appeal_reply")
    assert reply.issuer == world.department and reply.number
    text = text_of(reply)
    assert "维持原决定" in text and "原决定事实清楚" in text and "撤销" not in text
    assert AuditEvent.objects.filter(action="case.decide_appeal").count() == 1


def test_a_revoked_suspension_restores_the_member_and_returns_the_case_to_the_branch(
    world, django_capture_on_commit_callbacks
):
    case = _suspended(world, django_capture_on_commit_callbacks)
    _file(case, world)
    case = act(
        case, "appeal_review", outcome="revoked", reason="查找工作不充分，认定失联依据不足。"
    )
    assert case.member.status == MemberStatus.NORMAL
    assert case.status == CaseStatus.PROPOSAL and case.current_proposal_id is None
    assert (case.clock_kind, case.clock_due) == (ClockKind.NONE, None)
    assert open_nodes(case) == ["propose"]  # the restoration step and its timer are gone
    text = text_of(last_document(case, "appeal_reply"))
    assert "撤销原决定" in text and "重新处理" in text and "依据不足" in text


def test_an_appeal_against_a_closed_removal_reopens_the_case_when_revoked(
    world, django_capture_on_commit_callbacks
):
    case = _removed_and_closed(world, django_capture_on_commit_callbacks)
    process = CaseProcess.objects.get(case=case)
    _file(case, world, actor=world.secretary)
    process.refresh_from_db()
    assert process.status == PROCESS.NEW and open_nodes(case) == ["appeal_review"]
    case = act(case, "appeal_review", outcome="revoked", reason="除名依据不足。")
    assert case.member.status == MemberStatus.NORMAL
    assert case.status == CaseStatus.PROPOSAL and case.closed_at is None and not case.outcome
    assert open_nodes(case) == ["propose"]


def test_an_upheld_appeal_on_a_closed_case_ends_its_process_again(
    world, django_capture_on_commit_callbacks
):
    case = _removed_and_closed(world, django_capture_on_commit_callbacks)
    _file(case, world)
    case = act(case, "appeal_review", outcome="upheld", reason="经复查，原决定正确。")
    assert case.status == CaseStatus.CLOSED and case.member.status == MemberStatus.REMOVED
    assert open_nodes(case) == []
    assert CaseProcess.objects.get(case=case).status == PROCESS.DONE


def test_appeals_are_refused_out_of_order_twice_and_by_the_wrong_seat(
    world, django_capture_on_commit_callbacks
):
    case = open_case(world, django_capture_on_commit_callbacks)
    # no decision in force: the case is still being searched
    with pytest.raises(Conflict):
        _file(case, world)
    case = _to_approval(world, not_located(world, case), "suspend")
    with pytest.raises(Conflict):
        _file(case, world)
    case = approve(case, world, decision="agree")
    # bad input: no grounds, received in the future or before the decision
    with pytest.raises(DomainError) as empty:
        _file(case, world, grounds="  ")
    assert empty.value.code == "grounds_required"
    with pytest.raises(DomainError):
        _file(case, world, received_on=today() + dt.timedelta(days=1))
    with pytest.raises(DomainError) as early:
        _file(case, world, received_on=today() - dt.timedelta(days=30))
    assert early.value.code == "received_before_decision"
    # wrong organisation: an officer of another branch may not even file it
    with pytest.raises(PermissionDenied):
        _file(case, world, actor=world.outsider)
    assert not Appeal.objects.exists() and open_nodes(case) == [
        "restoration",
        "restoration__timeout",
    ]
    _file(case, world)
    with pytest.raises(Conflict) as twice:
        _file(case, world)
    assert twice.value.code == "appeal_exists"
    # wrong role / wrong organ: the committee that decided, a branch officer, another
    # department's coordinator may not decide it
    case.refresh_from_db()
    with pytest.raises(PermissionDenied):
        svc.case_decide_appeal(case=case, actor=world.approver, upheld=False, reason="撤销")
    with pytest.raises(PermissionDenied):
        svc.case_decide_appeal(case=case, actor=world.officer, upheld=False, reason="撤销")
    review = TaskDue.objects.get(case=case, node="appeal_review", state="open")
    with pytest.raises(PermissionDenied):
        services.task_claim(task_id=review.task_id, user=world.approver)
    with pytest.raises(PermissionDenied):
        step(case, "appeal_review", world.officer, outcome="revoked", reason="撤销")
    case.refresh_from_db()
    assert case.member.status == MemberStatus.SUSPENDED
    assert Appeal.objects.get().is_pending
    # decided once; a second decision is refused
    case = act(case, "appeal_review", outcome="upheld", reason="维持。")
    with pytest.raises(Conflict):
        svc.case_decide_appeal(case=case, actor=world.coordinator, upheld=False, reason="再次")
    with pytest.raises(Conflict):  # one appeal per decision
        _file(case, world)


def _pdf_text(document, tmp_path) -> str:
    from documents.render import render_pdf
    from documents.services import issuer_of
    from tests.documents import pdfcheck

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


def test_the_appeal_letters_print_their_facts_organ_addressee_signer_and_dates(
    world, django_capture_on_commit_callbacks, tmp_path
):
    case = _suspended(world, django_capture_on_commit_callbacks)
    decision = last_document(case, "decision_suspension")
    received = today()
    _file(case, world, received_on=received)
    case = act(case, "appeal_review", outcome="upheld", reason="经调阅案卷，原决定事实清楚。")
    day = f"{received.year}年{received.month}月{received.day}日"
    organ = world.department.issuer_name or world.department.name
    for kind in ("appeal_acknowledgement", "appeal_reply"):
        document = last_document(case, kind)
        assert document.issuer == world.department and document.number and decision.number
        assert document.number.startswith(f"{world.department.doc_code}函〔{received.year}〕")
        text = _pdf_text(document, tmp_path)
        assert f"{case.member.name}同志：" in text  # the addressee: the member
        assert document.number in text and decision.number in text  # it cites the decision
        assert day in text  # received on, and dated
        # signed by the organ above, dated, verifiable
        assert text.endswith(f"{organ}扫码核验核验码{document.verify_code}{day}—1—")
    ack = _pdf_text(last_document(case, "appeal_acknowledgement"), tmp_path)
    assert f"关于受理{case.member.name}同志申诉的通知" in ack and "予以受理" in ack
    reply = _pdf_text(last_document(case, "appeal_reply"), tmp_path)
    assert f"关于{case.member.name}同志申诉的复查答复" in reply
    assert "原决定事实清楚" in reply and "维持原决定" in reply and "撤销" not in reply


def test_the_case_moves_on_while_the_appeal_is_pending(world, django_capture_on_commit_callbacks):
    """The decision is not stayed: the member applies for restoration meanwhile; the review
    stays open beside the main path, may uphold, and may no longer revoke."""
    case = _suspended(world, django_capture_on_commit_callbacks)
    _file(case, world)
    case = act(case, "restoration", applied_on=today(), application="本人申请恢复党籍")
    assert case.status == CaseStatus.PROPOSAL
    assert open_nodes(case) == ["appeal_review", "propose"]
    review = TaskDue.objects.get(case=case, node="appeal_review", state="open")
    assert review.role_organisation == world.department  # the organ it was sent to
    with pytest.raises(Conflict) as stale:
        act(case, "appeal_review", outcome="revoked", reason="撤销")
    assert stale.value.code == "no_decision_in_force"
    case = act(case, "appeal_review", outcome="upheld", reason="维持。")
    assert case.status == CaseStatus.PROPOSAL and open_nodes(case) == ["propose"]
    assert case.member.status == MemberStatus.SUSPENDED
