"""Organisations, members (masked, audited reveal), contact attempts, meetings."""

from __future__ import annotations

from casework.models import AuditEvent, ContactAttempt, Meeting
from tests.factories import make_member


def test_members_are_masked_by_default(seeded, client_for):
    body = client_for(seeded.world.officer).get(f"/api/v1/members/{seeded.member.pk}/").json()
    text = str(body)
    assert seeded.member.id_number not in text and "13800138000" not in text
    assert body["phone_masked"] == "138****8000"


def test_a_liaison_never_sees_the_register(seeded, client_for):
    client = client_for(seeded.liaison)
    assert client.get("/api/v1/members/").json()["results"] == []
    assert client.get(f"/api/v1/members/{seeded.member.pk}/").status_code == 404
    assert client.get("/api/v1/organisations/").json()["results"] == []


def test_a_member_outside_the_scope_is_404(seeded, client_for):
    client = client_for(seeded.world.outsider)
    assert client.get(f"/api/v1/members/{seeded.member.pk}/").status_code == 404
    ids = [m["id"] for m in client.get("/api/v1/members/").json()["results"]]
    assert ids == [seeded.other_member.pk]


def test_the_member_list_filters_by_organisation_subtree_and_name(seeded, client_for):
    client = client_for(seeded.world.inspector)
    rows = client.get(f"/api/v1/members/?organisation={seeded.world.committee.pk}").json()
    assert [m["id"] for m in rows["results"]] == [seeded.member.pk]
    rows = client.get("/api/v1/members/?name=王").json()
    assert [m["id"] for m in rows["results"]] == [seeded.other_member.pk]


def test_the_member_list_runs_a_constant_number_of_queries(
    seeded, client_for, django_assert_max_num_queries
):
    client = client_for(seeded.world.inspector)
    client.get("/api/v1/members/")
    with django_assert_max_num_queries(4):
        client.get("/api/v1/members/")
    for n in range(15):
        make_member(seeded.world.branch, name=f"成员{n}")
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/v1/members/").json()["results"]) == 17


def test_the_members_contact_officer_reveals_personal_data_and_it_is_audited(seeded, client_for):
    response = client_for(seeded.world.officer).post(
        f"/api/v1/members/{seeded.member.pk}/reveal/", {"fields": ["phone"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"phone": "13800138000"}
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="member.reveal", object_id=str(seeded.member.pk))
    assert event.actor_id == seeded.world.officer.pk


def test_an_inspector_may_not_reveal(seeded, client_for):
    response = client_for(seeded.world.inspector).post(
        f"/api/v1/members/{seeded.member.pk}/reveal/", {}, format="json"
    )
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="member.reveal").exists()


def test_the_officer_records_a_contact_attempt(seeded, client_for):
    response = client_for(seeded.world.officer).post(
        f"/api/v1/members/{seeded.member.pk}/contact-attempts/",
        {"channel": "phone", "outcome": "reached", "case": seeded.case.pk},
        format="json",
    )
    assert response.status_code == 201
    attempt = ContactAttempt.objects.get(pk=response.json()["id"])
    assert attempt.case_id == seeded.case.pk and attempt.recorded_by_id == seeded.world.officer.pk
    assert AuditEvent.objects.filter(action="contact.record", object_id=str(attempt.pk)).exists()
    seeded.member.refresh_from_db()
    assert seeded.member.last_contact_date is not None


def test_an_inspector_is_read_only_for_contact_attempts(seeded, client_for):
    client = client_for(seeded.world.inspector)
    url = f"/api/v1/members/{seeded.member.pk}/contact-attempts/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"channel": "phone", "outcome": "reached"}, format="json")
    assert response.status_code == 403
    assert not ContactAttempt.objects.filter(member=seeded.member, outcome="reached").exists()


def test_a_contact_attempt_outside_the_scope_is_404(seeded, client_for):
    response = client_for(seeded.world.outsider).post(
        f"/api/v1/members/{seeded.member.pk}/contact-attempts/",
        {"channel": "phone", "outcome": "reached"},
        format="json",
    )
    assert response.status_code == 404


def test_the_officer_records_a_meeting_with_attendance(seeded, client_for):
    client = client_for(seeded.world.officer)
    response = client.post(
        "/api/v1/meetings/",
        {
            "organisation": seeded.world.branch.pk,
            "kind": "theme_day",
            "held_on": "2026-01-05",
            "attendance": [{"member": seeded.member.pk, "status": "present"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["attendance"][0]["member"] == seeded.member.pk
    assert Meeting.objects.count() == 1
    assert client.get(f"/api/v1/meetings/{response.json()['id']}/").status_code == 200


def test_meetings_refuse_inspectors_outsiders_and_strangers(seeded, client_for):
    body = {
        "organisation": seeded.world.branch.pk,
        "kind": "theme_day",
        "held_on": "2026-01-05",
        "attendance": [{"member": seeded.member.pk, "status": "present"}],
    }
    assert (
        client_for(seeded.world.inspector)
        .post("/api/v1/meetings/", body, format="json")
        .status_code
        == 403
    )
    assert (
        client_for(seeded.world.outsider).post("/api/v1/meetings/", body, format="json").status_code
        == 404
    )
    stranger = {**body, "attendance": [{"member": seeded.other_member.pk, "status": "present"}]}
    response = client_for(seeded.world.officer).post("/api/v1/meetings/", stranger, format="json")
    assert response.status_code == 422
    assert Meeting.objects.count() == 0
