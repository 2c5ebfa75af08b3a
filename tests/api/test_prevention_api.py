"""The prevention API calls the same services as the screens: writes land, other branch → 404,
inspector → 403, refusals are problem documents, personal data masked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.models import (
    AbroadRecord,
    BranchNoticeRecipient,
    ContactAttempt,
    DeliveryStatus,
    LedgerHandover,
    MobileRecord,
    RollCall,
    TrainingRecord,
)
from documents.models import IssuerProfile
from tests.factories import make_member

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate().isoformat()


def test_search_is_scoped_and_masked(world, client_for) -> None:
    make_member(world.branch, name="林少华", phone="13905911234")
    make_member(world.other_branch, name="林少伟")
    response = client_for(world.secretary).get("/api/v1/members/search/", {"q": "lsh"})
    assert response.status_code == 200
    body = response.json()
    assert [row["name"] for row in body] == ["林少华"]
    assert (
        body[0]["phone_masked"] == "139****1234" and "13905911234" not in response.content.decode()
    )
    refused = client_for(world.secretary).get("/api/v1/members/search/", {"q": "林"})
    assert refused.status_code == 422 and refused.json()["code"] == "search_too_short"


def test_keeper_and_handover_over_the_api(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    secretary = client_for(world.secretary)
    keeper_url = f"/api/v1/organisations/{world.branch.pk}/keeper/"
    assert secretary.get(keeper_url).json()["absent"] is True
    assert (
        client_for(world.inspector)
        .post(keeper_url, {"keeper": world.officer.pk, "since": TODAY}, format="json")
        .status_code
        == 403
    )
    assert client_for(world.outsider).get(keeper_url).status_code == 404
    created = secretary.post(
        keeper_url, {"keeper": world.officer.pk, "since": TODAY}, format="json"
    )
    assert created.status_code == 201 and created.json()["keeper"] == world.officer.pk
    payload = {
        "organisation": world.branch.pk,
        "to_user": world.secretary.pk,
        "handed_over_on": TODAY,
        "ledgers": ["roster"],
        "checked": ["complete"],
        "items": "花名册",
    }
    assert (
        client_for(world.outsider).post("/api/v1/handovers/", payload, format="json").status_code
        == 404
    )
    assert (
        client_for(world.inspector).post("/api/v1/handovers/", payload, format="json").status_code
        == 403
    )
    handover = secretary.post("/api/v1/handovers/", payload, format="json")
    assert handover.status_code == 201
    pk = handover.json()["id"]
    again = secretary.post("/api/v1/handovers/", payload, format="json")
    assert again.status_code == 409 and again.json()["code"] == "handover_open"
    assert client_for(world.approver).post(f"/api/v1/handovers/{pk}/confirm/").status_code == 403
    secretary.post(f"/api/v1/handovers/{pk}/confirm/")
    done = client_for(world.officer).post(f"/api/v1/handovers/{pk}/confirm/")
    assert done.json()["is_complete"] is True
    with django_capture_on_commit_callbacks(execute=True):
        record = secretary.post(f"/api/v1/handovers/{pk}/record/")
    assert record.status_code == 201 and record.json()["number"] is None  # a record
    assert LedgerHandover.objects.get(pk=pk).record_document_id == record.json()["id"]
    pdf = secretary.get(f"/api/v1/handovers/{pk}/record/")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    assert client_for(world.outsider).get(f"/api/v1/handovers/{pk}/").status_code == 404


def test_abroad_mobile_and_talks_over_the_api(world, client_for) -> None:
    member = make_member(world.branch, name="外出甲")
    secretary = client_for(world.secretary)
    abroad = secretary.post(
        "/api/v1/abroad/",
        {"member": member.pk, "destination": "新加坡", "left_on": TODAY},
        format="json",
    )
    assert abroad.status_code == 201
    returned = secretary.post(
        f"/api/v1/abroad/{abroad.json()['id']}/return/", {"day": TODAY}, format="json"
    )
    assert returned.json()["returned_on"] == TODAY
    assert AbroadRecord.objects.get().returned_on is not None
    other = make_member(world.other_branch)
    assert (
        secretary.post(
            "/api/v1/abroad/",
            {"member": other.pk, "destination": "x", "left_on": TODAY},
            format="json",
        ).status_code
        == 404
    )
    payload = {
        "member": member.pk,
        "certificate_no": "LD-1",
        "destination": "深圳",
        "start_on": TODAY,
        "expected_months": 7,
    }
    refused = secretary.post("/api/v1/mobile/", payload, format="json")
    assert refused.status_code == 422 and refused.json()["code"] == "departure_talk_required"
    talk = secretary.post(
        f"/api/v1/members/{member.pk}/departure-talks/",
        {
            "talked_on": TODAY,
            "talker": world.officer.pk,
            "content": "明确要求",
            "destination": "深圳",
            "expected_months": 7,
        },
        format="json",
    )
    assert talk.status_code == 201
    created = secretary.post("/api/v1/mobile/", payload, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert (
        secretary.post(f"/api/v1/mobile/{pk}/report/", {"day": TODAY}, format="json").status_code
        == 200
    )
    renewed = secretary.post(
        f"/api/v1/mobile/{pk}/renew/",
        {
            "renewed_on": TODAY,
            "valid_until": (timezone.localdate() + dt.timedelta(days=300)).isoformat(),
        },
        format="json",
    )
    assert renewed.status_code == 200
    assert (
        client_for(world.inspector)
        .post(f"/api/v1/mobile/{pk}/return/", {"day": TODAY}, format="json")
        .status_code
        == 403
    )
    assert (
        secretary.post(f"/api/v1/mobile/{pk}/return/", {"day": TODAY}, format="json").status_code
        == 200
    )
    assert MobileRecord.objects.get().certificate_returned_on is not None


def test_roll_calls_training_letters_and_org_life(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    a = make_member(world.branch, name="甲", is_mobile=True)
    b = make_member(world.branch, name="乙")
    secretary = client_for(world.secretary)
    roll_call = secretary.post(
        "/api/v1/roll-calls/",
        {
            "organisation": world.branch.pk,
            "held_on": TODAY,
            "answers": [{"member": a.pk, "answered": True}, {"member": b.pk, "answered": False}],
        },
        format="json",
    )
    assert roll_call.status_code == 201 and roll_call.json()["answered"] == 1
    assert RollCall.objects.count() == 1
    assert (
        client_for(world.outsider).get(f"/api/v1/roll-calls/{roll_call.json()['id']}/").status_code
        == 404
    )
    training = secretary.post(
        "/api/v1/training/",
        {
            "organisation": world.branch.pk,
            "kind": "oath",
            "topic": "重温入党誓词",
            "trained_on": TODAY,
            "members": [a.pk, b.pk],
        },
        format="json",
    )
    assert training.status_code == 201 and TrainingRecord.objects.count() == 2
    unsigned = secretary.post(f"/api/v1/organisations/{world.branch.pk}/letters/")
    assert unsigned.status_code == 422 and unsigned.json()["code"] == "document_fact_missing"
    IssuerProfile.objects.create(
        organisation=world.branch, contact_person="林晓东", contact_phone="0591-87654321"
    )
    with django_capture_on_commit_callbacks(execute=True):
        letters = secretary.post(f"/api/v1/organisations/{world.branch.pk}/letters/")
    assert letters.status_code == 201 and letters.json()["letters"] == 1
    assert secretary.post(f"/api/v1/organisations/{world.branch.pk}/letters/").status_code == 409
    rows = client_for(world.coordinator).get("/api/v1/org-life/").json()
    assert {row["organisation"] for row in rows} == {
        world.branch.pk,
        world.sibling_branch.pk,
        world.other_branch.pk,
    }
    assert all(row["compliant"] is False for row in rows)


def test_card_notices_duty_and_data_quality(
    world, client_for, django_capture_on_commit_callbacks
) -> None:
    member = make_member(
        world.branch, name="丙", contact_officer=world.officer, phone="13900000031"
    )
    secretary = client_for(world.secretary)
    card_url = f"/api/v1/organisations/{world.branch.pk}/card/"
    assert secretary.get(card_url).status_code == 404
    card = {
        "people": [{"name": "林书记", "duty": "支部书记", "phone": "13900000001"}],
        "landline": "",
    }
    assert client_for(world.inspector).put(card_url, card, format="json").status_code == 403
    saved = secretary.put(card_url, card, format="json")
    assert saved.status_code == 200 and saved.json()["public_url"].startswith("/integrations/card/")
    with django_capture_on_commit_callbacks(execute=True):
        notice = secretary.post(
            "/api/v1/notices/",
            {
                "organisation": world.branch.pk,
                "title": "通知",
                "text": "周六开会",
                "channel": "wechat",
            },
            format="json",
        )
    assert notice.status_code == 201
    assert BranchNoticeRecipient.objects.filter(status=DeliveryStatus.SENT).count() == 1
    assert ContactAttempt.objects.filter(member=member, channel="wechat").count() == 1
    assert (
        client_for(world.outsider).get(f"/api/v1/notices/{notice.json()['id']}/").status_code == 404
    )
    duty = client_for(world.officer).get("/api/v1/contact-duty/").json()
    assert [row["name"] for row in duty] == ["丙"] and duty[0]["cadence_days"] == 90
    officer_name = world.officer.get_full_name() or world.officer.get_username()
    assert duty[0]["contact_officer_name"] == officer_name  # a name, not only an id
    assert (
        client_for(world.outsider)
        .get("/api/v1/contact-duty/", {"officer": world.officer.pk})
        .status_code
        == 404
    )
    quality = (
        client_for(world.inspector)
        .get("/api/v1/data-quality/", {"organisation": world.branch.pk})
        .json()
    )
    assert quality["total"] == 1 and quality["counts"]["no_relative_contact"] == 1
    assert quality["members"][0]["phone_masked"] == "139****0031"
    assert (
        client_for(world.inspector)
        .post(f"/api/v1/members/{member.pk}/confirm/", {}, format="json")
        .status_code
        == 403
    )
    confirmed = secretary.post(f"/api/v1/members/{member.pk}/confirm/", {}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["info_confirmed_on"] == TODAY
