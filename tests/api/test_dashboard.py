"""GET /api/v1/dashboard/: the dashboard screen's figures for an organisation in scope."""

from __future__ import annotations

import pytest

from casework.models import CaseStatus
from casework.selectors.dashboard import dashboard_for_user
from casework.services.cases import case_open
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world):
    for name in ("甲", "乙"):
        case_open(member=make_member(world.branch, name=name), actor=world.officer)
    make_member(world.sibling_branch, name="丙")
    case_open(member=make_member(world.other_branch, name="丁"), actor=world.outsider)


def test_the_coordinator_sees_the_tree_rolled_up_with_the_selectors_figures(
    world, cases, client_for, django_assert_max_num_queries
) -> None:
    client = client_for(world.coordinator)
    with django_assert_max_num_queries(20):
        response = client.get(f"/api/v1/dashboard/?organisation={world.committee.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["organisation"] == world.committee.pk and body["period_days"] == 30
    focus, *children = body["rows"]
    assert focus["is_focus"] and focus["organisation"] == world.committee.pk
    assert [c["organisation"] for c in children] == [world.general_branch.pk]
    expected = dashboard_for_user(user=world.coordinator, organisation_id=world.committee.pk)
    assert focus["members"] == expected.total.members == 3
    assert focus["open_cases"] == expected.total.open_cases == 2
    assert focus["by_stage"] == {CaseStatus.REGISTERED: 2}
    assert focus["lost_contact_rate"] == expected.total.lost_contact_rate
    assert focus["overdue_tasks"] == 0


def test_the_officer_defaults_to_their_branch_and_gets_404_outside_it(
    world, cases, client_for
) -> None:
    client = client_for(world.officer)
    mine = client.get("/api/v1/dashboard/?period_days=90")
    assert mine.status_code == 200
    assert mine.json()["organisation"] == world.branch.pk and mine.json()["period_days"] == 90
    assert mine.json()["rows"][0]["open_cases"] == 2
    for org in (world.committee, world.other_branch, world.sibling_branch):
        outside = client.get(f"/api/v1/dashboard/?organisation={org.pk}")
        assert outside.status_code == 404, org.name
        assert outside["Content-Type"].startswith("application/problem+json")
    assert client.get("/api/v1/dashboard/?organisation=999999").status_code == 404
    assert client_for(world.nobody).get("/api/v1/dashboard/").status_code == 404


def test_bad_filters_are_400_and_anonymous_is_401(world, client_for) -> None:
    client = client_for(world.coordinator)
    for query in ("organisation=abc", "organisation=0", "period_days=7"):
        response = client.get(f"/api/v1/dashboard/?{query}")
        assert response.status_code == 400, query
        assert response.json()["errors"]
    client.credentials()
    assert client.get("/api/v1/dashboard/").status_code == 401


def test_figures_from_the_nightly_rollup_say_when_they_were_computed(
    world, cases, client_for
) -> None:
    from casework.services.dashboard import dashboard_rollup_refresh

    client = client_for(world.coordinator)
    url = f"/api/v1/dashboard/?organisation={world.committee.pk}"
    assert client.get(url).json()["computed_at"] is None
    dashboard_rollup_refresh()
    body = client.get(url).json()
    assert body["computed_at"] is not None and body["rows"][0]["open_cases"] == 2
