import datetime as dt
import json

import pytest
from django.utils import timezone

from casework.errors import Conflict, DomainError, NotFound, PermissionDenied
from casework.models import (
    AuditEvent,
    CaseStatus,
    DepartmentKind,
    Inquiry,
    InquiryStatus,
    TimelineEntry,
)
from casework.selectors.inquiries import (
    inquiry_get_for_liaison,
    inquiry_list_for_liaison,
    inquiry_list_for_user,
)
from casework.services.cases import case_open
from casework.services.inquiries import (
    inquiry_close_unanswered,
    inquiry_mark_overdue,
    inquiry_mark_sent,
    inquiry_record_answer,
    inquiry_remind,
    inquiry_request,
    inquiry_sign,
)
from tests.casework.case_helpers import make_department, make_liaison
from tests.factories import make_member


@pytest.fixture
def setup(world):
    member = make_member(world.branch)
    case = case_open(member=member, actor=world.officer)
    police = make_department(world.department, DepartmentKind.PUBLIC_SECURITY)
    social = make_department(world.department, DepartmentKind.SOCIAL_INSURANCE)
    return world, case, police, social


def _sent(world, case, department):
    (inquiry,) = [
        i for i in inquiry_request(case=case, departments=[department], actor=world.coordinator)
    ]
    inquiry = inquiry_sign(inquiry=inquiry, actor=world.coordinator)
    return inquiry_mark_sent(inquiry=inquiry, actor=world.coordinator)


def test_requesting_inquiries_drafts_one_per_department_and_moves_the_case(setup) -> None:
    world, case, police, social = setup
    created = inquiry_request(case=case, departments=[police, social], actor=world.coordinator)
    assert [i.status for i in created] == [InquiryStatus.DRAFT] * 2
    again = inquiry_request(case=case, departments=[police, social], actor=world.coordinator)
    assert again == []
    case.refresh_from_db()
    assert case.status == CaseStatus.INQUIRY
    assert Inquiry.objects.filter(case=case).count() == 2
    assert AuditEvent.objects.filter(action="inquiry.request").count() == 2


def test_only_a_coordinator_requests_inquiries(setup) -> None:
    world, case, police, _ = setup
    for user in (world.officer, world.outsider, world.inspector):
        with pytest.raises(PermissionDenied):
            inquiry_request(case=case, departments=[police], actor=user)
    assert Inquiry.objects.count() == 0


def test_sending_sets_the_due_date_in_working_days(setup) -> None:
    world, case, police, _ = setup
    (inquiry,) = inquiry_request(case=case, departments=[police], actor=world.coordinator)
    inquiry_sign(inquiry=inquiry, actor=world.coordinator)
    friday = timezone.make_aware(dt.datetime(2026, 11, 27, 10, 0))
    inquiry = inquiry_mark_sent(inquiry=inquiry, actor=world.coordinator, at=friday)
    assert inquiry.status == InquiryStatus.SENT
    assert inquiry.due_date == dt.date(2026, 12, 11)


def test_sending_an_unsigned_letter_is_refused(setup) -> None:
    world, case, police, _ = setup
    (inquiry,) = inquiry_request(case=case, departments=[police], actor=world.coordinator)
    with pytest.raises(Conflict):
        inquiry_mark_sent(inquiry=inquiry, actor=world.coordinator)


def test_an_answer_is_stored_encrypted_and_an_identical_repeat_is_idempotent(setup) -> None:
    world, case, police, _ = setup
    inquiry = _sent(world, case, police)
    liaison = make_liaison("police_liaison", police)
    details = {"address": "福州市仓山区某路8号", "phone": "13900000000"}
    answered = inquiry_record_answer(
        inquiry=inquiry, actor=liaison, answer="found", details=details, source="manual"
    )
    assert answered.status == InquiryStatus.ANSWERED
    assert answered.locates_member
    assert json.loads(Inquiry.objects.get(pk=inquiry.pk).answer_details) == details
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select answer_details from casework_inquiry where id=%s", [inquiry.pk])
        raw = cursor.fetchone()[0]
    assert "福州" not in raw
    inquiry_record_answer(
        inquiry=inquiry, actor=liaison, answer="found", details=dict(details), source="http"
    )
    assert AuditEvent.objects.filter(action="inquiry.answer").count() == 1
    with pytest.raises(Conflict):
        inquiry_record_answer(
            inquiry=inquiry, actor=liaison, answer="not_found", details={}, source="manual"
        )


def test_a_clue_asks_for_a_follow_up(setup) -> None:
    world, case, police, _ = setup
    inquiry = _sent(world, case, police)
    answered = inquiry_record_answer(
        inquiry=inquiry, actor=None, answer="clue", details={"note": "x"}, source="email"
    )
    assert answered.needs_follow_up and not answered.locates_member


def test_a_liaison_of_another_department_cannot_answer(setup) -> None:
    world, case, police, social = setup
    inquiry = _sent(world, case, police)
    other = make_liaison("social_liaison", social)
    with pytest.raises(PermissionDenied):
        inquiry_record_answer(
            inquiry=inquiry, actor=other, answer="found", details={}, source="manual"
        )


def test_overdue_reminded_then_closed_unanswered(setup) -> None:
    world, case, police, _ = setup
    inquiry = _sent(world, case, police)
    with pytest.raises(DomainError):
        inquiry_mark_overdue(inquiry=inquiry, as_of=inquiry.due_date)
    inquiry = inquiry_mark_overdue(inquiry=inquiry, as_of=inquiry.due_date + dt.timedelta(days=1))
    assert inquiry.status == InquiryStatus.OVERDUE
    inquiry = inquiry_remind(inquiry=inquiry, actor=world.coordinator)
    assert inquiry.status == InquiryStatus.REMINDED and inquiry.reminder_count == 1
    with pytest.raises(DomainError):
        inquiry_close_unanswered(inquiry=inquiry, actor=world.coordinator, reason=" ")
    inquiry = inquiry_close_unanswered(inquiry=inquiry, actor=world.coordinator, reason="逾期未复")
    assert inquiry.status == InquiryStatus.CLOSED_UNANSWERED
    actions = list(TimelineEntry.objects.filter(case=case).values_list("action", flat=True))
    assert actions[-3:] == ["inquiry.overdue", "inquiry.remind", "inquiry.close_unanswered"]


def test_liaisons_see_only_sent_inquiries_of_their_department(setup) -> None:
    world, case, police, social = setup
    inquiry = _sent(world, case, police)
    inquiry_request(case=case, departments=[social], actor=world.coordinator)
    police_liaison = make_liaison("pl", police)
    social_liaison = make_liaison("sl", social)
    assert list(inquiry_list_for_liaison(user=police_liaison)) == [inquiry]
    assert list(inquiry_list_for_liaison(user=social_liaison)) == []  # still a draft
    with pytest.raises(NotFound):
        inquiry_get_for_liaison(user=social_liaison, pk=inquiry.pk)
    assert inquiry_list_for_user(user=police_liaison).count() == 0
    assert inquiry_list_for_user(user=world.officer).count() == 2
    assert inquiry_list_for_user(user=world.outsider).count() == 0
