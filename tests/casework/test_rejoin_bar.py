"""The rejoin bar (2024 rules: five years after 除名 or 劝退, from the decision's in-force day),
read from the rule set of the case that decided: refused on member create, member update
(form and API: 409 `rejoin_barred`) and import rows; shown on the member page; lapsed after
the years; none under the 2019 rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import Workbook
from rest_framework.test import APIClient

from casework.errors import Conflict
from casework.member_import import import_members
from casework.models import AuditEvent, Case, Decision, Member, MemberStatus
from casework.policy import add_months
from casework.rejoin import rejoin_bar
from casework.services.members import member_create, member_update
from tests.factories import make_member, valid_id_number
from tests.workflows.flow_helpers import locate_and_assess, open_case
from tests.workflows.route_helpers import approve, to_approval
from web.api.tokens import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pdf_render(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)


def _decided(world: Any, capture: Any, kind: str = "remove", **member_kw: Any) -> Member:
    """A member removed (or persuaded to leave) through the flow: the committee approved."""
    case = locate_and_assess(world, open_case(world, capture, **member_kw), "unfit")
    case = approve(to_approval(world, case, kind, ["weak_purpose"]), world, decision="agree")
    member = Member.objects.get(pk=case.member_id)
    assert member.status in (MemberStatus.REMOVED, MemberStatus.PERSUADED_OUT)
    return member


def _decided_days_ago(member: Member, days: int) -> None:
    Decision.objects.filter(member=member).update(
        in_force_at=timezone.now() - dt.timedelta(days=days)
    )


def _api(user: Any) -> APIClient:
    _, token = api_token_create(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_a_removed_person_cannot_be_registered_again_while_the_bar_runs(
    world, django_capture_on_commit_callbacks
) -> None:
    number = valid_id_number(dt.date(1980, 5, 6))
    removed = _decided(world, django_capture_on_commit_callbacks, id_number=number)
    members = Member.objects.count()
    with pytest.raises(Conflict) as refused:
        member_create(
            organisation=world.branch, name="重新登记", gender="M", id_number=number, actor=None
        )
    assert refused.value.code == "rejoin_barred"
    message = str(refused.value.message)
    assert "被除名" in message and "5年内" in message
    assert "中国共产党不合格党员组织处置办法" in message
    assert Member.objects.count() == members
    assert Member.objects.get(pk=removed.pk).status == MemberStatus.REMOVED


def test_a_duplicate_id_number_is_refused_with_a_clear_error(world) -> None:
    number = valid_id_number(dt.date(1985, 1, 2))
    make_member(world.branch, id_number=number)
    with pytest.raises(Conflict) as refused:
        member_create(organisation=world.branch, name="李四", gender="M", id_number=number)
    assert refused.value.code == "duplicate_id"
    assert "已登记" in str(refused.value.message)
    assert Member.objects.filter(name="李四").count() == 0


def test_an_edit_giving_a_removed_member_an_active_status_is_refused(
    world, django_capture_on_commit_callbacks
) -> None:
    removed = _decided(world, django_capture_on_commit_callbacks)
    events = AuditEvent.objects.filter(action="member.update").count()
    with pytest.raises(Conflict) as refused:
        member_update(member=removed, actor=world.secretary, changes={"status": "normal"})
    assert refused.value.code == "rejoin_barred"
    assert Member.objects.get(pk=removed.pk).status == MemberStatus.REMOVED
    assert AuditEvent.objects.filter(action="member.update").count() == events
    # a change that does not make them a member again is allowed
    member_update(member=removed, actor=world.secretary, changes={"employer": "某公司"})
    assert Member.objects.get(pk=removed.pk).employer == "某公司"


def test_the_api_refuses_moving_a_barred_persons_number_onto_a_record_with_409(
    world, django_capture_on_commit_callbacks
) -> None:
    removed = _decided(world, django_capture_on_commit_callbacks)
    other = make_member(world.branch, id_number=valid_id_number(dt.date(1990, 3, 3)))
    response = _api(world.secretary).patch(
        f"/api/v1/members/{other.pk}/", {"id_number": removed.id_number}, format="json"
    )
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "rejoin_barred"
    assert removed.id_number not in str(response.json())  # no personal data in the error
    assert Member.objects.get(pk=other.pk).id_number == other.id_number
    third = make_member(world.branch, id_number=valid_id_number(dt.date(1990, 4, 4)))
    duplicate = _api(world.secretary).patch(
        f"/api/v1/members/{third.pk}/", {"id_number": other.id_number}, format="json"
    )
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate_id"


def test_a_persuaded_out_member_is_barred_and_a_number_moved_onto_them_is_refused(
    world, django_capture_on_commit_callbacks
) -> None:
    persuaded = _decided(world, django_capture_on_commit_callbacks, kind="persuade")
    assert persuaded.status == MemberStatus.PERSUADED_OUT
    with pytest.raises(Conflict) as refused:
        member_update(member=persuaded, actor=world.secretary, changes={"status": "suspended"})
    assert refused.value.code == "rejoin_barred" and "被劝退" in str(refused.value.message)


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "性别", "公民身份号码", "人员类别", "党籍状态", "所在党支部"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_an_import_row_giving_a_removed_member_back_the_status_is_rejected(
    world, django_capture_on_commit_callbacks, tmp_path
) -> None:
    removed = _decided(world, django_capture_on_commit_callbacks)
    fresh = valid_id_number(dt.date(1991, 4, 5))
    path = _xlsx(
        tmp_path / "rows.xlsx",
        [
            ["张三", "男", removed.id_number, "正式党员", "正常", "测试第一党支部"],
            ["新党员", "男", fresh, "正式党员", "正常", "测试第一党支部"],
        ],
    )
    report = import_members(path=path, organisation=world.committee, actor=world.secretary)
    assert (report.created, report.rejected) == (1, 1)
    (issue,) = report.errors
    assert issue.row == 2 and "不得重新入党" in issue.reason
    assert Member.objects.get(pk=removed.pk).status == MemberStatus.REMOVED


def test_the_bar_lapses_after_the_rule_sets_years(
    world, django_capture_on_commit_callbacks
) -> None:
    removed = _decided(world, django_capture_on_commit_callbacks)
    today = timezone.localdate()
    five_years = (today - add_months(today, -60)).days
    _decided_days_ago(removed, five_years - 1)  # one day short of five years: still barred
    with pytest.raises(Conflict):
        member_update(member=removed, actor=world.secretary, changes={"status": "normal"})
    _decided_days_ago(removed, five_years)  # five years ago today: the bar has run out
    assert rejoin_bar(removed) is None
    member_update(member=removed, actor=world.secretary, changes={"status": "normal"})
    assert Member.objects.get(pk=removed.pk).status == MemberStatus.NORMAL


def test_a_case_decided_under_the_2019_rules_bars_nothing(
    world, django_capture_on_commit_callbacks
) -> None:
    removed = _decided(world, django_capture_on_commit_callbacks)
    Case.objects.filter(member=removed).update(rule_set="2019")
    assert rejoin_bar(removed) is None
    member_update(member=removed, actor=world.secretary, changes={"status": "normal"})
    assert Member.objects.get(pk=removed.pk).status == MemberStatus.NORMAL


def test_the_member_page_shows_the_bar_and_the_edit_form_refuses_the_number(
    world, client, django_capture_on_commit_callbacks
) -> None:
    removed = _decided(world, django_capture_on_commit_callbacks)
    client.force_login(world.secretary)
    page = client.get(f"/register/members/{removed.pk}/").content.decode()
    assert 'data-row="rejoin-bar"' in page and "5年内不得重新入党" in page
    bar = rejoin_bar(removed)
    assert bar is not None and f"{bar.until:%Y-%m-%d}" in page
    other = make_member(world.branch, id_number=valid_id_number(dt.date(1992, 1, 1)))
    assert (
        'data-row="rejoin-bar"' not in client.get(f"/register/members/{other.pk}/").content.decode()
    )
    form = {
        "name": "王五",
        "gender": "M",
        "membership_type": "full",
        "id_number": removed.id_number,
    }
    response = client.post(f"/register/members/{other.pk}/edit/", form)
    assert response.status_code == 200 and "不得重新入党" in response.content.decode()
    assert Member.objects.get(pk=other.pk).id_number == other.id_number


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_registrations_of_one_id_number_at_once_one_wins_the_other_is_a_duplicate() -> None:
    """Both pass the check before either inserts: the unique index refuses the second, which
    answers `duplicate_id` (not a 500)."""
    import threading

    from django.db import connection

    from tests.factories import build_world

    world = build_world()
    number = valid_id_number(dt.date(1987, 7, 7))
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def run() -> None:
        try:
            barrier.wait()
            outcomes.append(
                member_create(organisation=world.branch, name="赵六", gender="M", id_number=number)
            )
        except BaseException as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(outcomes) == 2 and len(refused) == 1, outcomes
    assert isinstance(refused[0], Conflict) and refused[0].code == "duplicate_id"
    assert Member.objects.filter(name="赵六").count() == 1
