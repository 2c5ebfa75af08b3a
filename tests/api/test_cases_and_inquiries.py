"""Cases (filters, detail, timeline) and inquiries for users in scope and for liaisons."""

from __future__ import annotations

import json

from casework.models import Inquiry, InquiryStatus
from casework.services.cases import case_open
from integrations.models import ClueFollowUp
from tests.casework.case_helpers import make_department, make_liaison
from tests.factories import make_member


def test_the_case_list_is_scoped_and_filtered(seeded, client_for):
    client = client_for(seeded.world.inspector)
    ids = {c["id"] for c in client.get("/api/v1/cases/").json()["results"]}
    assert ids == {seeded.case.pk, seeded.other_case.pk}
    rows = client.get("/api/v1/cases/?status=inquiry&open=true").json()["results"]
    assert [c["id"] for c in rows] == [seeded.case.pk]
    rows = client.get(f"/api/v1/cases/?organisation={seeded.world.other_committee.pk}").json()
    assert [c["id"] for c in rows["results"]] == [seeded.other_case.pk]
    assert client.get("/api/v1/cases/?open=false").json()["results"] == []


def test_a_case_outside_the_scope_is_404_with_its_timeline(seeded, client_for):
    client = client_for(seeded.world.officer)
    assert client.get(f"/api/v1/cases/{seeded.other_case.pk}/").status_code == 404
    assert client.get(f"/api/v1/cases/{seeded.other_case.pk}/timeline/").status_code == 404
    timeline = client.get(f"/api/v1/cases/{seeded.case.pk}/timeline/").json()
    assert timeline["results"][0]["action"] == "case.open"


def test_the_case_list_orders_and_pages_by_cursor(seeded, client_for):
    client = client_for(seeded.world.inspector)
    page = client.get("/api/v1/cases/?ordering=id&page_size=1").json()
    assert [c["id"] for c in page["results"]] == [seeded.case.pk]
    following = client.get(page["next"]).json()
    assert [c["id"] for c in following["results"]] == [seeded.other_case.pk]


def test_the_case_list_runs_a_constant_number_of_queries(
    seeded, client_for, django_assert_max_num_queries
):
    client = client_for(seeded.world.inspector)
    client.get("/api/v1/cases/")
    for n in range(10):
        case_open(
            member=make_member(seeded.world.branch, name=f"成员{n}"), actor=seeded.world.officer
        )
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/v1/cases/").json()["results"]) == 12
    with django_assert_max_num_queries(4):
        client.get("/api/v1/inquiries/")


def test_a_liaison_sees_only_inquiries_sent_to_their_department(seeded, client_for):
    rows = client_for(seeded.liaison).get("/api/v1/inquiries/").json()["results"]
    assert [i["id"] for i in rows] == [seeded.inquiry.pk]
    other = make_liaison("liaison2", make_department(seeded.world.department, "tax"))
    client = client_for(other)
    assert client.get("/api/v1/inquiries/").json()["results"] == []
    assert client.get(f"/api/v1/inquiries/{seeded.inquiry.pk}/").status_code == 404


def test_a_liaison_records_an_answer_and_a_different_second_answer_is_409(seeded, client_for):
    client = client_for(seeded.liaison)
    url = f"/api/v1/inquiries/{seeded.inquiry.pk}/answer/"
    first = client.post(url, {"answer": "clue", "details": {"notes": " x "}}, format="json")
    assert first.status_code == 200, first.json()
    assert first.json()["status"] == InquiryStatus.ANSWERED
    follow_up = ClueFollowUp.objects.get(inquiry=seeded.inquiry)  # the same path as the portal
    assert json.loads(follow_up.details) == {"notes": "x"}
    again = client.post(url, {"answer": "found", "details": {}}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_answered"
    assert Inquiry.objects.get(pk=seeded.inquiry.pk).answer == "clue"


def test_an_answer_is_cleaned_and_limited_like_every_other_channel(seeded, client_for):
    client = client_for(seeded.liaison)
    url = f"/api/v1/inquiries/{seeded.inquiry.pk}/answer/"
    empty_clue = client.post(url, {"answer": "clue", "details": {"other": "x"}}, format="json")
    assert empty_clue.status_code == 422
    assert empty_clue.json()["code"] == "clue_without_details"
    too_long = client.post(
        url, {"answer": "found", "details": {"address": "路" * 501}}, format="json"
    )
    assert too_long.status_code == 422 and too_long.json()["code"] == "invalid_detail"
    assert Inquiry.objects.get(pk=seeded.inquiry.pk).status == InquiryStatus.SENT


def test_answering_a_draft_inquiry_is_an_illegal_transition(seeded, client_for):
    from casework.services import inquiries as inq

    (draft,) = inq.inquiry_request(
        case=seeded.case,
        departments=[make_department(seeded.world.department, "tax")],
        actor=seeded.world.coordinator,
    )
    response = client_for(seeded.world.coordinator).post(
        f"/api/v1/inquiries/{draft.pk}/answer/", {"answer": "found"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"


def test_inspectors_and_officers_may_read_but_not_answer_inquiries(seeded, client_for):
    for user in (seeded.world.inspector, seeded.world.officer):
        client = client_for(user)
        assert client.get(f"/api/v1/inquiries/{seeded.inquiry.pk}/").status_code == 200
        response = client.post(
            f"/api/v1/inquiries/{seeded.inquiry.pk}/answer/", {"answer": "found"}, format="json"
        )
        assert response.status_code == 403
    assert Inquiry.objects.get(pk=seeded.inquiry.pk).status == InquiryStatus.SENT


def test_withdrawing_a_case_through_the_api(seeded, client_for):
    from casework.models import AuditEvent, CaseStatus

    url = f"/api/v1/cases/{seeded.case.pk}/withdraw/"
    body = {"reason_code": "opened_in_error", "reason": "误立案"}
    assert client_for(seeded.world.outsider).post(url, body, format="json").status_code == 404
    refused = client_for(seeded.world.officer).post(url, body, format="json")
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    secretary = client_for(seeded.world.secretary)
    bad = secretary.post(url, {"reason_code": "bored"}, format="json")
    assert bad.status_code == 400 and {"reason_code", "reason"} <= set(bad.json()["errors"])
    seeded.case.refresh_from_db()
    assert seeded.case.status == CaseStatus.INQUIRY

    done = secretary.post(url, body, format="json")

    assert done.status_code == 200 and done.json()["status"] == CaseStatus.WITHDRAWN
    assert AuditEvent.objects.filter(action="case.withdraw").count() == 1
    assert secretary.post(url, body, format="json").status_code == 409


def test_naming_approvers_through_the_api(world, client_for):
    from casework.models import ApproverAssignment
    from tests.web.test_case_pages import _awaiting_approval

    case = _awaiting_approval(world)
    url = f"/api/v1/cases/{case.pk}/approvers/"
    approver = client_for(world.approver)
    panel = approver.get(url).json()
    assert panel["named"] == []
    (candidate,) = [p for p in panel["candidates"] if p["id"] == world.approver2.pk]
    assert candidate["username"] == "approver2" and candidate["name"]
    assert candidate["role"] == "committee_approver" and candidate["role_label"] == "党委审批人"
    stranger = approver.post(url, {"action": "add", "user": world.officer.pk}, format="json")
    assert stranger.status_code == 422 and "user" in stranger.json()["errors"]
    officer = client_for(world.officer).post(
        url, {"action": "add", "user": world.approver2.pk}, format="json"
    )
    assert officer.status_code == 403
    assert client_for(world.outsider).get(url).status_code == 404

    added = approver.post(url, {"action": "add", "user": world.approver2.pk}, format="json")

    assert added.status_code == 200 and [p["id"] for p in added.json()["named"]] == [
        world.approver2.pk
    ]
    assert ApproverAssignment.objects.filter(is_active=True).count() == 1
    removed = approver.post(url, {"action": "remove", "user": world.approver2.pk}, format="json")
    assert removed.status_code == 200 and removed.json()["named"] == []


def test_the_approvers_of_a_case_not_awaiting_approval(seeded, client_for):
    client = client_for(seeded.world.approver)
    url = f"/api/v1/cases/{seeded.case.pk}/approvers/"
    assert client.get(url).json() == {
        "pending": False,
        "organisation": "",
        "named": [],
        "candidates": [],
    }
    change = client.post(url, {"action": "add", "user": seeded.world.approver2.pk}, format="json")
    assert change.status_code == 409 and change.json()["code"] == "not_pending"
