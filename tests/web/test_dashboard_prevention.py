"""The dashboard's prevention indicators (measure 9): 三会一课 per branch from the rule set's
cadence, contact duty, data quality, receipts overdue and the key-group breakdown — counted in
SQL per organisation, rolled up, the same from the nightly rollup, in the xlsx and the API."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from casework.models import KeyGroup, Meeting, RelationTransfer
from casework.selectors.dashboard import dashboard_for_user
from casework.services import cases as svc
from casework.services.dashboard import dashboard_rollup_refresh
from tests.factories import make_member

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def _meet(org, kind: str, days_ago: int) -> None:
    Meeting.objects.create(organisation=org, kind=kind, held_on=_ago(days_ago))


def _world_with_prevention_data(world) -> None:
    # branch: all four kinds within their cadence → on schedule; sibling: no committee meeting
    for kind, days in [
        ("branch_committee", 10),
        ("party_group", 20),
        ("branch_general", 60),
        ("party_lecture", 80),
    ]:
        _meet(world.branch, kind, days)
        if kind != "branch_committee":
            _meet(world.sibling_branch, kind, days)
    _meet(world.sibling_branch, "branch_committee", 45)  # older than a month
    officer = world.officer
    # key-group member overdue for contact (30-day cadence) and at risk (2 months)
    make_member(
        world.branch,
        name="务工甲",
        key_groups=KeyGroup.MIGRANT,
        last_contact_date=_ago(70),
        contact_officer=officer,
        occupation="务工",
    )
    # everyone else: 90 days; contacted 40 days ago → on time
    make_member(
        world.branch,
        name="本地乙",
        last_contact_date=_ago(40),
        contact_officer=officer,
        occupation="教师",
    )
    # incomplete: no phone, no occupation, no officer
    make_member(world.sibling_branch, name="缺项丙", phone="", last_contact_date=_ago(5))
    lost = make_member(
        world.sibling_branch,
        name="失联丁",
        key_groups=KeyGroup.GRADUATE,
        last_contact_date=_ago(300),
        occupation="学生",
    )
    svc.case_open(member=lost, actor=None)
    RelationTransfer.objects.create(
        member=lost,
        serial="JS-9",
        from_organisation=world.sibling_branch,
        to_name="外地党支部",
        issued_on=_ago(120),
        valid_until=_ago(30),
    )


def test_prevention_figures_are_counted_per_branch_and_rolled_up(world) -> None:
    _world_with_prevention_data(world)
    board = dashboard_for_user(user=world.coordinator, organisation_id=world.general_branch.pk)
    total = board.total
    assert (total.branches, total.org_life_ok, total.org_life_rate) == (2, 1, 50.0)
    assert total.org_life_by_kind == {
        "branch_committee": 1,
        "branch_general": 2,
        "party_group": 2,
        "party_lecture": 2,
    }
    by_org = {row.organisation: row for row in board.children}
    assert by_org[world.branch].org_life_ok == 1 and by_org[world.sibling_branch].org_life_ok == 0
    assert total.members == 4
    assert total.contact_overdue == 2  # the migrant (30 days) and the lost member
    assert total.contact_duty_rate == 50.0
    assert total.key_group_members == 2
    assert total.by_key_group == {
        f"risk:{KeyGroup.MIGRANT.value}": 1,
        f"open:{KeyGroup.GRADUATE.value}": 1,
    }
    assert total.at_risk == 1
    assert total.dq_no_phone == 1 and total.dq_no_officer == 2 and total.dq_no_occupation == 1
    assert total.dq_no_relative_contact == 4 and total.dq_unconfirmed == 4
    assert total.dq_incomplete == 4 and total.data_quality_rate == 0.0
    assert total.receipts_overdue == 1 and total.unreturned_receipts == 1
    # the previous period's end (30 days ago): the sibling's committee meeting was on time
    assert total.org_life_ok_prev == 0  # the branch's group meeting 20 days ago was not yet held


def test_the_nightly_rollup_gives_the_same_figures(world) -> None:
    _world_with_prevention_data(world)
    live = dashboard_for_user(user=world.coordinator, as_of=TODAY).total
    dashboard_rollup_refresh(day=TODAY)
    board = dashboard_for_user(user=world.coordinator)
    assert board.computed_at is not None  # read from the rollup
    stored = board.total
    for name in (
        "branches",
        "org_life_ok",
        "org_life_ok_prev",
        "org_life_by_kind",
        "contact_overdue",
        "key_group_members",
        "by_key_group",
        "receipts_overdue",
        "dq_incomplete",
        "dq_no_phone",
        "dq_duplicates",
        "dq_unconfirmed",
    ):
        assert getattr(stored, name) == getattr(live, name), name


def test_the_page_shows_the_indicators_with_a_constant_number_of_queries(
    world, client: Client, django_assert_max_num_queries
) -> None:
    client.force_login(world.inspector)
    with django_assert_max_num_queries(25) as small:
        assert client.get(f"/dashboard/?org={world.general_branch.pk}").status_code == 200
    _world_with_prevention_data(world)
    for i in range(10):
        make_member(world.branch, name=f"党员{i}", key_groups=KeyGroup.ELSEWHERE)
    with django_assert_max_num_queries(25) as large:
        page = client.get(f"/dashboard/?org={world.general_branch.pk}")
    assert len(large.captured_queries) == len(small.captured_queries)
    html = page.content.decode()
    assert 'data-figure="org_life_rate">50.0%' in html
    assert 'id="key-groups"' in html and "外出务工经商党员" in html
    assert 'id="prevention-table"' in html


def test_the_export_and_the_api_carry_the_indicators(world, client: Client) -> None:
    _world_with_prevention_data(world)
    client.force_login(world.inspector)
    response = client.get(f"/dashboard/export.xlsx?org={world.general_branch.pk}")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["预防工作"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    focus = rows[2]
    assert focus[0] == "测试党总支"
    assert focus[header.index("三会一课按期率（%）")] == 50.0
    assert focus[header.index("回执逾期")] == 1
    api = client.get(f"/api/v1/dashboard/?organisation={world.general_branch.pk}")
    first = api.json()["rows"][0]
    assert first["org_life_rate"] == 50.0 and first["contact_overdue"] == 2
    assert first["by_key_group"] == {"risk:1": 1, "open:16": 1}
