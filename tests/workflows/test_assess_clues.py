"""A department answers with a clue: the officer gets an "assess clues" (研判线索) task. A
confirmed clue leads to the talk (located); a clue followed without result returns the case
to waiting, or to the search conclusion once every inquiry is settled."""

from __future__ import annotations

import pytest

from casework.errors import Conflict, DomainError, PermissionDenied
from casework.models import AuditEvent, CaseStatus
from casework.services import inquiries as inq
from tests.casework.case_helpers import make_department
from tests.workflows.flow_helpers import open_case, open_nodes, open_task, outreach_fails, step
from workflows import services
from workflows.invariants import open_tasks_match_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(world, django_capture_on_commit_callbacks):
    """A case waiting for two departments, both letters sent."""
    case = open_case(world, django_capture_on_commit_callbacks)
    case = outreach_fails(world, case)
    departments = [make_department(world.department), make_department(world.department, "tax")]

    case = step(
        case, "request_inquiries", world.coordinator, departments=[d.pk for d in departments]
    )
    for inquiry in case.inquiries.order_by("pk"):
        inq.inquiry_mark_sent(inquiry=inquiry, actor=world.coordinator)
    assert open_nodes(case) == ["wait_inquiries"]
    return case


def _answer(inquiry, answer: str):
    return inq.inquiry_record_answer(
        inquiry=inquiry, actor=None, answer=answer, details={"note": "x"}, source="manual"
    )


def _assess(world, case, inquiry, confirmed: bool):
    result = "confirmed" if confirmed else "no_result"
    return step(
        case, "assess_clues", world.officer, inquiry=inquiry.pk, result=result, notes="已核查"
    )


def test_a_clue_interrupts_the_wait_and_a_confirmed_clue_leads_to_the_talk(world, waiting):
    first, _second = waiting.inquiries.order_by("pk")
    _answer(first, "clue")
    assert services.inquiry_wait_resume(case_id=waiting.pk) is True
    assert open_nodes(waiting) == ["assess_clues"] and open_tasks_match_status(waiting.pk)
    assert open_task(waiting, "assess_clues").role == "contact_officer"
    case = _assess(world, waiting, first, confirmed=True)
    assert case.status == CaseStatus.INQUIRY and open_nodes(case) == ["talk"]
    event = AuditEvent.objects.get(action="inquiry.assess_clue")
    assert event.after["confirmed"] is True and event.after["inquiry"] == first.pk


def test_a_clue_without_result_returns_to_waiting_then_to_the_conclusion(world, waiting):
    first, second = waiting.inquiries.order_by("pk")
    _answer(first, "clue")
    services.inquiry_wait_resume(case_id=waiting.pk)
    case = _assess(world, waiting, first, confirmed=False)
    assert open_nodes(case) == ["wait_inquiries"] and open_tasks_match_status(case.pk)
    assert services.inquiry_wait_resume(case_id=case.pk) is False
    _answer(second, "not_found")
    assert services.inquiry_wait_resume(case_id=case.pk) is True
    assert open_nodes(case) == ["conclude_search"]
    case = step(case, "conclude_search", world.officer, conclusion="not_located")
    assert case.status == CaseStatus.NOT_LOCATED and open_nodes(case) == ["propose"]


def test_the_last_answer_being_a_clue_goes_to_the_conclusion_after_assessment(world, waiting):
    first, second = waiting.inquiries.order_by("pk")
    _answer(first, "not_found")
    assert services.inquiry_wait_resume(case_id=waiting.pk) is False
    _answer(second, "clue")
    services.inquiry_wait_resume(case_id=waiting.pk)
    case = _assess(world, waiting, second, confirmed=False)
    assert open_nodes(case) == ["conclude_search"]


def test_assessing_refuses_twice_without_notes_and_out_of_role(world, waiting):
    first, _second = waiting.inquiries.order_by("pk")
    with pytest.raises(Conflict):
        inq.inquiry_assess_clue(inquiry=first, actor=world.officer, confirmed=False, notes="无")
    _answer(first, "clue")
    with pytest.raises(DomainError):
        inq.inquiry_assess_clue(inquiry=first, actor=world.officer, confirmed=False, notes=" ")
    with pytest.raises(PermissionDenied):
        inq.inquiry_assess_clue(inquiry=first, actor=world.approver, confirmed=False, notes="无")
    inq.inquiry_assess_clue(inquiry=first, actor=world.officer, confirmed=False, notes="无")
    with pytest.raises(Conflict):
        inq.inquiry_assess_clue(inquiry=first, actor=world.officer, confirmed=False, notes="无")


def test_the_assess_clues_form_through_its_url(world, client, waiting):
    first, _second = waiting.inquiries.order_by("pk")
    _answer(first, "clue")
    services.inquiry_wait_resume(case_id=waiting.pk)
    due = open_task(waiting, "assess_clues")
    client.force_login(world.officer)
    assert client.post(f"/workflows/task/{due.task_id}/claim/").status_code == 302
    url = f"/workflows/{due.task.process_id}/assess_clues/{due.task_id}/execute/"
    page = client.get(url)
    assert page.status_code == 200 and "研判线索" in page.content.decode()
    refused = client.post(url, {"inquiry": first.pk, "result": "confirmed", "notes": ""})
    assert refused.status_code == 200  # the form shows the missing field
    done = client.post(url, {"inquiry": first.pk, "result": "confirmed", "notes": "本人回电"})
    assert done.status_code == 302
    assert open_nodes(waiting) == ["talk"] and open_tasks_match_status(waiting.pk)


def test_answers_end_the_wait_on_their_own_after_commit(
    world, waiting, django_capture_on_commit_callbacks
):
    """No sweep: the answer's commit hook resumes the wait once every inquiry is settled."""
    first, second = waiting.inquiries.order_by("pk")
    with django_capture_on_commit_callbacks(execute=True):
        _answer(first, "not_found")
    assert open_nodes(waiting) == ["wait_inquiries"]
    with django_capture_on_commit_callbacks(execute=True):
        inq.inquiry_close_unanswered(inquiry=second, actor=world.coordinator, reason="逾期未复")
    assert open_nodes(waiting) == ["conclude_search"] and open_tasks_match_status(waiting.pk)
