"""The assessment dashboard: figures rolled up the tree, scope, exports, constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from casework.models import AuditEvent, Case, Member, RelationTransfer
from casework.selectors.dashboard import dashboard_for_user
from casework.services import cases as svc
from tests.casework.case_helpers import decide, locate, search_fails
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _members(world, n: int, org=None, **kw) -> list[Member]:
    return [make_member(org or world.branch, name=f"党员{i}", **kw) for i in range(n)]


def _contacted(member: Member, days_ago: int) -> None:
    Member.objects.filter(pk=member.pk).update(
        last_contact_date=timezone.localdate() - dt.timedelta(days=days_ago)
    )


def test_figures_roll_up_from_branches_to_the_committee(world) -> None:
    branch_members = _members(world, 4)
    sibling_members = _members(world, 2, world.sibling_branch)
    _members(world, 3, world.other_branch)  # outside the committee
    _contacted(branch_members[0], 120)  # at risk: 3–6 months
    _contacted(branch_members[1], 10)
    svc.case_open(member=branch_members[2], actor=world.officer)
    svc.case_open(member=sibling_members[0], actor=None)
    RelationTransfer.objects.create(
        member=sibling_members[1],
        serial="JS-1",
        from_organisation=world.sibling_branch,
        to_name="外地党支部",
        issued_on=timezone.localdate(),
        valid_until=timezone.localdate() + dt.timedelta(days=90),
    )

    board = dashboard_for_user(user=world.approver, organisation_id=world.committee.pk)

    total = board.total
    assert total.organisation == world.committee
    assert (total.members, total.at_risk, total.open_cases, total.opened) == (6, 1, 2, 2)
    assert total.by_stage == {"registered": 2}
    assert total.unreturned_receipts == 1
    assert total.lost_contact_rate == pytest.approx(33.33)
    assert [row.organisation for row in board.children] == [world.general_branch]
    board = dashboard_for_user(user=world.approver, organisation_id=world.general_branch.pk)
    by_org = {row.organisation: row for row in board.children}
    assert by_org[world.branch].members == 4 and by_org[world.branch].open_cases == 1
    assert by_org[world.sibling_branch].members == 2


def test_located_and_suspended_cases_and_median_days_are_counted_in_the_period(world) -> None:
    first, second = _members(world, 2)
    located = locate(world, svc.case_open(member=first, actor=world.officer))
    Case.objects.filter(pk=located.pk).update(opened_at=timezone.now() - dt.timedelta(days=10))
    suspended = search_fails(world, svc.case_open(member=second, actor=world.officer))
    decide(world, suspended, "suspend")

    total = dashboard_for_user(user=world.inspector).total

    assert total.organisation == world.department
    assert (total.located, total.suspended) == (1, 1)
    assert total.located_share == 50.0
    assert total.median_days_to_locate == pytest.approx(10.0, abs=0.1)
    assert total.open_cases == 2  # located awaits the cause; suspension is in force


def test_previous_period_counts_cases_open_at_its_end(world) -> None:
    (member,) = _members(world, 1)
    case = svc.case_open(member=member, actor=world.officer)
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - dt.timedelta(days=45))

    total = dashboard_for_user(user=world.approver, period_days=30).total

    assert (total.open_cases, total.open_cases_prev) == (1, 1)
    assert (total.opened, total.opened_prev) == (0, 1)


def test_an_organisation_outside_the_scope_is_404(world, client: Client) -> None:
    client.force_login(world.outsider)
    response = client.get(f"/dashboard/?org={world.committee.pk}")
    assert response.status_code == 404
    client.force_login(world.nobody)
    assert client.get("/dashboard/").status_code == 404


def test_the_dashboard_page_runs_a_constant_number_of_queries(
    world, client: Client, django_assert_max_num_queries
) -> None:
    client.force_login(world.inspector)
    _members(world, 2)
    with django_assert_max_num_queries(25):
        small = client.get("/dashboard/")
    assert small.status_code == 200
    for member in _members(world, 12, world.sibling_branch):
        svc.case_open(member=member, actor=None)
    with django_assert_max_num_queries(25) as captured:
        large = client.get(f"/dashboard/?org={world.general_branch.pk}&days=90")
    assert large.status_code == 200
    assert len(captured.captured_queries) <= 25
    assert "测试第二党支部" in large.content.decode()
    assert "<svg" in large.content.decode()


def test_exports_are_audited_and_carry_the_figures(world, client: Client) -> None:
    _members(world, 3)
    client.force_login(world.inspector)

    xlsx = client.get("/dashboard/export.xlsx")
    pdf = client.get(f"/dashboard/export.pdf?org={world.committee.pk}")

    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    events = AuditEvent.objects.filter(action="dashboard.export").order_by("id")
    assert [e.after["format"] for e in events] == ["xlsx", "pdf"]
    assert events[1].organisation == world.committee

    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert any(row[0] == "测试组织部" and row[1] == 3 for row in values)


def _figures(board) -> list[tuple]:
    return [
        (
            row.organisation.pk,
            row.members,
            row.at_risk,
            row.open_cases,
            row.by_stage,
            row.open_cases_prev,
            row.opened,
            row.located,
            row.suspended,
            row.median_days_to_locate,
            row.overdue_inquiries,
            row.unreturned_receipts,
        )
        for row in board.rows
    ]


def test_the_nightly_rollup_gives_the_live_figures_labelled_as_of_its_time(
    world, client: Client, django_assert_max_num_queries
) -> None:
    from casework.models import DashboardRollup
    from casework.services.dashboard import dashboard_rollup_refresh

    first, second, *others = _members(world, 5)
    _members(world, 2, world.sibling_branch)
    _contacted(others[0], 120)
    located = locate(world, svc.case_open(member=first, actor=world.officer))
    Case.objects.filter(pk=located.pk).update(opened_at=timezone.now() - dt.timedelta(days=10))
    decide(world, search_fails(world, svc.case_open(member=second, actor=world.officer)), "suspend")
    live = {
        org.pk: dashboard_for_user(user=world.inspector, organisation_id=org.pk)
        for org in (world.department, world.committee, world.general_branch)
    }
    assert all(board.computed_at is None for board in live.values())

    rows = dashboard_rollup_refresh()

    assert rows == DashboardRollup.objects.count() > 0
    for org_id, board in live.items():
        from_rollup = dashboard_for_user(user=world.inspector, organisation_id=org_id)
        assert from_rollup.computed_at is not None
        assert _figures(from_rollup) == _figures(board)
    assert live[world.department.pk].total.median_days_to_locate == pytest.approx(10.0, abs=0.1)
    # later changes wait for the next rollup; an explicit date still counts live
    before = live[world.department.pk].total.members
    _members(world, 3)
    assert dashboard_for_user(user=world.inspector).total.members == before
    today = timezone.localdate()
    assert dashboard_for_user(user=world.inspector, as_of=today).total.members == before + 3
    client.force_login(world.inspector)
    with django_assert_max_num_queries(25):
        page = client.get("/dashboard/").content.decode()
    assert 'id="as-of"' in page
    # a second refresh the same day replaces the day's rows
    assert dashboard_rollup_refresh() == rows == DashboardRollup.objects.count()
    assert dashboard_for_user(user=world.inspector).total.members == before + 3
