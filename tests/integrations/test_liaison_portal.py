"""Liaisons see and answer only inquiries addressed to their department; no register access."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casework.models import Inquiry, InquiryStatus
from integrations.models import AnswerAttachment, ClueFollowUp
from tests.integrations.conftest import make_liaison


@pytest.fixture
def portal(iw):
    Inquiry.objects.filter(pk__in=[i.pk for i in iw.inquiries]).update(status=InquiryStatus.SENT)
    iw.other_inquiry = Inquiry.objects.create(
        case=iw.cases[0], department=iw.other_department, status=InquiryStatus.SENT
    )
    iw.liaison = make_liaison("liaison", iw.department)
    return iw


def test_a_liaison_lists_only_their_departments_inquiries(client, portal):
    client.force_login(portal.liaison)
    response = client.get("/liaison/")
    assert response.status_code == 200
    listed = {i.pk for i in response.context["inquiries"]}
    assert listed == {i.pk for i in portal.inquiries}


def test_another_departments_inquiry_is_404(client, portal):
    client.force_login(portal.liaison)
    assert client.get(f"/liaison/{portal.other_inquiry.pk}/").status_code == 404
    response = client.post(f"/liaison/{portal.other_inquiry.pk}/", {"answer": "found"})
    assert response.status_code == 404
    assert Inquiry.objects.get(pk=portal.other_inquiry.pk).status == InquiryStatus.SENT


def test_a_register_user_is_not_a_liaison(client, portal):
    client.force_login(portal.world.officer)
    assert client.get(f"/liaison/{portal.inquiries[0].pk}/").status_code in (403, 404)


def test_a_liaison_answers_with_a_clue_and_an_attachment(client, portal):
    client.force_login(portal.liaison)
    inquiry = portal.inquiries[0]
    page = client.get(f"/liaison/{inquiry.pk}/")
    assert page.status_code == 200
    assert inquiry.case.member.id_number not in page.content.decode()
    response = client.post(
        f"/liaison/{inquiry.pk}/",
        {
            "answer": "clue",
            "employer": "福州某某有限公司",
            "insured_unit": "福州某某有限公司",
            "phone": "13900001111",
            "attachments": [
                SimpleUploadedFile("社保记录.pdf", b"%PDF-1.4 scan", "application/pdf")
            ],
        },
    )
    assert response.status_code == 302
    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert stored.status == InquiryStatus.ANSWERED
    assert stored.answer == "clue"
    assert json.loads(stored.answer_details)["employer"] == "福州某某有限公司"
    follow_up = ClueFollowUp.objects.get(inquiry=inquiry)
    assert follow_up.case == inquiry.case
    attachment = AnswerAttachment.objects.get(inquiry=inquiry)
    assert attachment.file.read() == b"%PDF-1.4 scan"
    assert "社保" not in attachment.file.name
    assert attachment.original_name == "社保记录.pdf"


def test_a_clue_without_details_is_refused_on_the_form(client, portal):
    client.force_login(portal.liaison)
    inquiry = portal.inquiries[0]
    response = client.post(f"/liaison/{inquiry.pk}/", {"answer": "clue"}, follow=True)
    assert "有线索时请至少填写一项线索内容" in response.content.decode()
    assert Inquiry.objects.get(pk=inquiry.pk).status == InquiryStatus.SENT


def test_a_liaison_cannot_open_the_register_or_coordination(client, portal):
    client.force_login(portal.liaison)
    response = client.get("/coordination/")
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert list(response.context["departments"]) == []


def test_the_liaison_list_runs_a_constant_number_of_queries(
    client, portal, django_assert_max_num_queries
):
    from tests.integrations.conftest import make_case

    for _ in range(5):
        Inquiry.objects.create(
            case=make_case(portal.world.branch),
            department=portal.department,
            status=InquiryStatus.SENT,
        )
    client.force_login(portal.liaison)
    with django_assert_max_num_queries(12):
        response = client.get("/liaison/")
    assert len(response.context["inquiries"]) == 7
