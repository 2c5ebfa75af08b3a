"""新增党员 on a screen (/register/members/new/) and over the API (POST /api/v1/members/),
both through member_register: a write role over the organisation, every field validated, the
ID number unique, one audit event; nothing written on a refusal."""

from __future__ import annotations

import pytest
from django.test import Client

from casework.models import AuditEvent, Member
from tests.factories import make_member, valid_id_number

pytestmark = pytest.mark.django_db


def test_a_member_is_registered_over_the_api(world, client_for) -> None:
    secretary = client_for(world.secretary)
    number = valid_id_number()
    body = {
        "organisation": world.branch.pk,
        "name": "陈新",
        "gender": "M",
        "id_number": number,
        "phone": "13912345678",
        "employer": "福州一中",
        "key_groups": [1],
        "contact_officer": world.officer.pk,
    }
    created = secretary.post("/api/v1/members/", body, format="json")
    assert created.status_code == 201, created.json()
    answer = created.json()
    assert answer["name"] == "陈新" and answer["organisation"] == world.branch.pk
    assert number not in str(answer) and "13912345678" not in str(answer)
    member = Member.objects.get(pk=answer["id"])
    assert member.id_number == number and member.phone == "13912345678"
    assert member.contact_officer == world.officer and member.key_groups == 1
    assert answer["contact_officer"] == world.officer.pk
    assert answer["contact_officer_name"] == world.officer.get_full_name()
    event = AuditEvent.objects.get(action="member.create", object_id=str(member.pk))
    assert event.actor == world.secretary and event.after["source"] == "api"

    twice = secretary.post("/api/v1/members/", {**body, "name": "陈新二"}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "duplicate_id"
    bad = secretary.post(
        "/api/v1/members/", {**body, "id_number": "123", "phone": "1"}, format="json"
    )
    assert bad.status_code == 422 and {"id_number", "phone"} <= set(bad.json()["errors"])
    missing = secretary.post("/api/v1/members/", {"organisation": world.branch.pk}, format="json")
    assert missing.status_code == 400
    assert {"name", "gender", "id_number"} <= set(missing.json()["errors"])
    stranger = {**body, "id_number": valid_id_number(), "contact_officer": world.outsider.pk}
    not_staff = secretary.post("/api/v1/members/", stranger, format="json")
    assert not_staff.status_code == 422 and "contact_officer" in not_staff.json()["errors"]

    fresh = {**body, "id_number": valid_id_number()}
    fresh.pop("contact_officer")
    # another committee's branch, and a read-only role: refused, nothing written
    other = client_for(world.outsider).post("/api/v1/members/", fresh, format="json")
    assert other.status_code == 422 and "organisation" in other.json()["errors"]
    inspector = client_for(world.inspector).post("/api/v1/members/", fresh, format="json")
    assert inspector.status_code == 422 and "organisation" in inspector.json()["errors"]
    assert Member.objects.filter(name__startswith="陈新").count() == 1
    assert AuditEvent.objects.filter(action="member.create").count() == 1


def test_a_member_is_registered_on_the_register_page(world, client: Client) -> None:
    make_member(world.branch, name="已有")
    client.force_login(world.secretary)
    listing = client.get("/register/").content.decode()
    assert 'href="/register/members/new/"' in listing
    page = client.get("/register/members/new/")
    assert page.status_code == 200 and 'name="organisation"' in page.content.decode()

    number = valid_id_number(gender="F")
    form = {
        "organisation": world.branch.pk,
        "name": "林新",
        "gender": "F",
        "id_number": number,
        "membership_type": "full",
        "phone": "13712345678",
    }
    bad = client.post("/register/members/new/", {**form, "id_number": "350102"})
    assert bad.status_code == 200 and not Member.objects.filter(name="林新").exists()
    response = client.post("/register/members/new/", form)
    member = Member.objects.get(name="林新")
    assert response.status_code == 302 and response["Location"] == f"/register/members/{member.pk}/"
    assert member.id_number == number and member.organisation == world.branch
    event = AuditEvent.objects.get(action="member.create", object_id=str(member.pk))
    assert event.actor == world.secretary and event.after["source"] == "ui"

    again = client.post("/register/members/new/", {**form, "name": "林新二"})
    assert again.status_code == 200 and "已登记" in again.content.decode()
    assert not Member.objects.filter(name="林新二").exists()

    client.force_login(world.inspector)
    assert client.get("/register/members/new/").status_code == 403
    client.force_login(world.outsider)
    outside = client.post("/register/members/new/", {**form, "id_number": valid_id_number()})
    assert outside.status_code == 200 and Member.objects.filter(name="林新").count() == 1


def test_people_in_member_and_meeting_answers_carry_their_names(world, client_for) -> None:
    """A bare user id is never all an answer says of a person: the name comes with it."""
    present = make_member(world.branch, name="有联系人", contact_officer=world.officer)
    make_member(world.branch, name="无联系人")
    client = client_for(world.secretary)
    rows = {m["name"]: m for m in client.get("/api/v1/members/").json()["results"]}
    assert rows["有联系人"]["contact_officer_name"] == world.officer.get_full_name()
    assert rows["无联系人"]["contact_officer"] is None
    assert rows["无联系人"]["contact_officer_name"] is None
    recorded = client.post(
        "/api/v1/meetings/",
        {
            "organisation": world.branch.pk,
            "kind": "theme_day",
            "held_on": "2026-01-05",
            "attendance": [{"member": present.pk, "status": "present"}],
        },
        format="json",
    )
    assert recorded.status_code == 201, recorded.json()
    (meeting,) = client.get("/api/v1/meetings/").json()["results"]
    assert meeting["recorded_by"] == world.secretary.pk
    assert meeting["recorded_by_name"] == world.secretary.get_full_name()
