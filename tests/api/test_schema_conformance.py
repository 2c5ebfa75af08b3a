"""What schemathesis --checks all found and the API now does as its schema says: page_size
is an integer from 1 to 200 (else 400, never a silent default), OPTIONS is 405 on every
operation (no metadata that needed a serializer per view)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", ["null", "0", "201", "-1", "1.5", "²", "9" * 5000])
def test_a_page_size_outside_the_schema_is_refused(seeded, client_for, size) -> None:
    response = client_for(seeded.world.coordinator).get("/api/v1/cases/", {"page_size": size})
    assert response.status_code == 400
    assert "page_size" in response.json()["errors"]


def test_a_page_size_inside_the_schema_is_honoured(seeded, client_for) -> None:
    client = client_for(seeded.world.coordinator)
    assert len(client.get("/api/v1/cases/", {"page_size": "1"}).json()["results"]) == 1
    assert client.get("/api/v1/cases/", {"page_size": "200"}).status_code == 200


@pytest.mark.parametrize(
    "path", ["/api/v1/letters/print/", "/api/v1/departments/1/", "/api/v1/cases/"]
)
def test_options_is_not_offered(seeded, client_for, path) -> None:
    response = client_for(seeded.world.coordinator).options(path)
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/problem+json")


def test_a_case_lists_its_open_tasks_for_who_may_see_them(seeded, client_for) -> None:
    url = f"/api/v1/cases/{seeded.case.pk}/tasks/"
    assert client_for(seeded.world.coordinator).get(url).status_code == 200
    assert client_for(seeded.world.outsider).get(url).status_code == 404


def test_people_in_answers_carry_a_display_name(seeded, client_for) -> None:
    client = client_for(seeded.world.coordinator)
    timeline = client.get(f"/api/v1/cases/{seeded.case.pk}/timeline/").json()["results"]
    acted = [entry for entry in timeline if entry["actor"] is not None]
    assert acted and all(entry["actor_name"] for entry in acted)
    recorded = client.post(
        f"/api/v1/members/{seeded.member.pk}/contact-attempts/",
        {"channel": "phone", "outcome": "no_answer", "notes": ""},
        format="json",
    )
    assert recorded.status_code == 201, recorded.json()
    assert recorded.json()["recorded_by_name"]
