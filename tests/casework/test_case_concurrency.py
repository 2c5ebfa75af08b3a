"""Real threads on PostgreSQL: exactly one of two racing completions wins; no answer is lost."""

import threading

import pytest
from django.db import connection

from casework.errors import Conflict
from casework.models import Case, CaseStatus, Inquiry, InquiryStatus, TimelineEntry
from casework.services import cases as svc
from casework.services import inquiries as inq
from tests.casework.case_helpers import make_department
from tests.factories import make_member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(count: int, work) -> tuple[list[object], list[BaseException]]:
    barrier = threading.Barrier(count)
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            barrier.wait()
            value = work(index)
            with lock:
                results.append(value)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


def test_two_people_completing_the_same_step_one_wins_the_other_gets_a_conflict() -> None:
    from tests.factories import build_world

    world = build_world()
    case = svc.case_open(member=make_member(world.branch), actor=world.officer)
    actors = [world.officer, world.secretary]
    results, errors = _race(2, lambda i: svc.case_start_outreach(case=case, actor=actors[i]))
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], Conflict)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OUTREACH
    assert TimelineEntry.objects.filter(case=case, action="case.start_outreach").count() == 1


def test_thirty_inquiries_answered_at_once_are_all_recorded() -> None:
    from casework.models import Department
    from tests.factories import build_world

    world = build_world()
    case = svc.case_open(member=make_member(world.branch), actor=world.officer)
    departments = [make_department(world.department) for _ in range(30)]
    assert Department.objects.count() == 30
    inquiries = inq.inquiry_request(case=case, departments=departments, actor=world.coordinator)
    for inquiry in inquiries:
        inq.inquiry_sign(inquiry=inquiry, actor=world.coordinator)
        inq.inquiry_mark_sent(inquiry=inquiry, actor=world.coordinator)
    ids = [i.pk for i in inquiries]

    def answer(index: int) -> Inquiry:
        return inq.inquiry_record_answer(
            inquiry=Inquiry.objects.get(pk=ids[index]),
            actor=None,
            answer="not_found",
            details={"n": index},
            source="http",
        )

    results, errors = _race(30, answer)
    assert errors == []
    assert len(results) == 30
    assert Inquiry.objects.filter(case=case, status=InquiryStatus.ANSWERED).count() == 30
    assert TimelineEntry.objects.filter(case=case, action="inquiry.answer").count() == 30
    from casework.audit import verify_audit_chain

    assert verify_audit_chain() == []
