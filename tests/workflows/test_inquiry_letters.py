"""Signing an inquiry numbers its department's letter (协查函) in the same transaction, as the
integrations delivery service expects; the request task signs what it drafts."""

from __future__ import annotations

import pytest

from casework.models import AuditEvent, InquiryStatus
from casework.services import cases as svc
from casework.services import inquiries as inq
from integrations.models import ChannelKind, DepartmentChannel, InquiryLetter
from tests.casework.case_helpers import make_department
from tests.workflows.flow_helpers import open_case, open_nodes, open_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world, django_capture_on_commit_callbacks):
    case = open_case(world, django_capture_on_commit_callbacks)
    return svc.case_start_outreach(case=case, actor=world.officer)


def _manual(department):
    DepartmentChannel.objects.create(department=department, kind=ChannelKind.MANUAL)
    return department


def test_signing_creates_the_departments_letter_in_the_same_transaction(world, case) -> None:
    department = _manual(make_department(world.department))
    (inquiry,) = inq.inquiry_request(case=case, departments=[department], actor=world.coordinator)
    assert not InquiryLetter.objects.exists()
    inquiry = inq.inquiry_sign(inquiry=inquiry, actor=world.coordinator)
    letter = InquiryLetter.objects.get()
    assert list(letter.inquiries.all()) == [inquiry]
    assert letter.department == department and letter.document_number
    assert letter.created_by_id == world.coordinator.pk
    assert AuditEvent.objects.filter(action="letter.inquiry.create").count() == 1


def test_a_department_without_a_channel_keeps_its_inquiry_signed_for_the_letters_page(
    world, case
) -> None:
    department = make_department(world.department)
    (inquiry,) = inq.inquiry_request(case=case, departments=[department], actor=world.coordinator)
    inquiry = inq.inquiry_sign(inquiry=inquiry, actor=world.coordinator)
    assert inquiry.status == InquiryStatus.SIGNED
    assert not InquiryLetter.objects.exists()


def test_the_request_task_signs_and_letters_each_department(
    world, client, django_capture_on_commit_callbacks
) -> None:
    from casework.services.ledgers import contact_attempt_record

    case = open_case(world, django_capture_on_commit_callbacks)
    for channel in ("phone", "relative", "home_visit"):
        contact_attempt_record(
            member=case.member, actor=world.officer, channel=channel, outcome="no_answer", case=case
        )
    from tests.workflows.flow_helpers import step

    step(case, "outreach", world.officer, action="not_reachable")
    with_channel = _manual(make_department(world.department))
    without = make_department(world.department, "tax")
    due = open_task(case, "request_inquiries")
    client.force_login(world.coordinator)
    assert client.post(f"/workflows/task/{due.task_id}/claim/").status_code == 302
    url = f"/workflows/{due.task.process_id}/request_inquiries/{due.task_id}/execute/"
    response = client.post(url, {"departments": [with_channel.pk, without.pk]})
    assert response.status_code == 302
    assert set(case.inquiries.values_list("status", flat=True)) == {InquiryStatus.SIGNED}
    letter = InquiryLetter.objects.get()
    assert letter.department == with_channel
    assert open_nodes(case) == ["wait_inquiries"]
