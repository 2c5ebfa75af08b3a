"""The case list and the case page: scope, masking, history, send-back, constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from casework.models import AuditEvent, Case, CaseStatus, Inquiry
from casework.services import cases as svc
from casework.services.ledgers import contact_attempt_record
from tests.casework.case_helpers import search_fails
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _case(world, name: str = "王五", org=None) -> Case:
    member = make_member(org or world.branch, name=name, phone="13912345678")
    return svc.case_open(member=member, actor=None)


def test_the_case_page_shows_masked_personal_data_and_the_history(world, client: Client) -> None:
    case = svc.case_start_outreach(case=_case(world), actor=world.officer)
    contact_attempt_record(
        member=case.member,
        actor=world.officer,
        channel="phone",
        outcome="no_answer",
        case=case,
        notes="无人接听",
    )
    client.force_login(world.officer)

    page = client.get(f"/cases/{case.pk}/").content.decode()

    assert "王五" in page and "139****5678" in page
    assert "13912345678" not in page and case.member.id_number not in page
    assert "登记失联案件" in page and "开始联系查找" in page
    assert "电话 — 无人接听" in page


def test_a_case_outside_the_scope_is_404(world, client: Client) -> None:
    case = _case(world)
    client.force_login(world.outsider)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.post(f"/cases/{case.pk}/send-back/", {"comment": "x"}).status_code == 404
    client.force_login(world.nobody)
    assert client.get(f"/cases/{case.pk}/").status_code == 404


def test_the_case_list_filters_by_stage_organisation_and_overdue(world, client: Client) -> None:
    registered = _case(world, "甲")
    in_outreach = svc.case_start_outreach(case=_case(world, "乙"), actor=world.officer)
    sibling = _case(world, "丙", world.sibling_branch)
    client.force_login(world.approver)

    def listed(query: str) -> set[int]:
        html = client.get(f"/cases/?{query}").content.decode()
        return {c.pk for c in (registered, in_outreach, sibling) if f'data-case="{c.pk}"' in html}

    assert listed("") == {registered.pk, in_outreach.pk, sibling.pk}
    assert listed("stage=outreach") == {in_outreach.pk}
    assert listed(f"org={world.sibling_branch.pk}") == {sibling.pk}
    assert listed("overdue=on") == set()
    Case.objects.filter(pk=sibling.pk).update(clock_due=timezone.localdate() - dt.timedelta(1))
    assert listed("overdue=on") == {sibling.pk}


def test_an_approver_sends_a_proposal_back_with_a_comment(world, client: Client) -> None:
    case = search_fails(world, _case(world))
    case = svc.case_propose(case=case, actor=world.officer, kind="suspend", reasons="查找未果")
    assert case.status == CaseStatus.PRE_REVIEW
    client.force_login(world.approver)

    empty = client.post(f"/cases/{case.pk}/send-back/", {"comment": ""})
    assert empty.status_code == 400
    response = client.post(f"/cases/{case.pk}/send-back/", {"comment": "事实不清，请补充"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.NOT_LOCATED
    assert AuditEvent.objects.filter(action="case.send_back", reason="事实不清，请补充").exists()
    assert "事实不清，请补充" in client.get(f"/cases/{case.pk}/").content.decode()


def test_an_officer_cannot_send_back(world, client: Client) -> None:
    case = search_fails(world, _case(world))
    case = svc.case_propose(case=case, actor=world.officer, kind="suspend", reasons="查找未果")
    client.force_login(world.officer)

    response = client.post(f"/cases/{case.pk}/send-back/", {"comment": "退回"})

    assert response.status_code == 403
    assert "您没有办理此环节的权限" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.PRE_REVIEW


def test_case_pages_run_a_constant_number_of_queries(
    world, client: Client, django_assert_max_num_queries
) -> None:
    case = search_fails(world, _case(world))
    client.force_login(world.approver)
    with django_assert_max_num_queries(14):
        assert client.get(f"/cases/{case.pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/cases/").status_code == 200
    for i in range(15):
        _case(world, f"党员{i}")
    for _ in range(5):
        contact_attempt_record(
            member=case.member, actor=world.officer, channel="phone", outcome="no_answer", case=case
        )
    assert Inquiry.objects.filter(case=case).count() == 1
    with django_assert_max_num_queries(14):
        assert client.get(f"/cases/{case.pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/cases/?overdue=on").status_code == 200


def test_the_current_task_comes_from_the_open_flow_task_and_follows_the_status(
    world, client: Client, django_capture_on_commit_callbacks, django_assert_max_num_queries
) -> None:
    from tests.workflows.flow_helpers import open_case, open_task, outreach_fails
    from workflows.models import TaskDue

    case = open_case(world, django_capture_on_commit_callbacks)
    client.force_login(world.officer)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    due = open_task(case, "outreach")
    assert f'data-task="{due.task_id}" data-node="outreach"' in page
    assert f"/workflows/{due.task.process_id}/outreach/{due.task_id}/execute/" in page
    case = outreach_fails(world, case)
    assert case.status == CaseStatus.INQUIRY
    client.force_login(world.coordinator)
    with django_assert_max_num_queries(16):
        page = client.get(f"/cases/{case.pk}/").content.decode()
    following = open_task(case, "request_inquiries")
    assert 'data-node="request_inquiries"' in page and 'data-node="outreach"' not in page
    assert f'data-task="{following.task_id}"' in page
    assert "协查" in page and TaskDue.objects.filter(case=case, state="open").count() == 1


def test_the_coordinator_signs_a_drafted_inquiry_from_the_case_page(world, client: Client) -> None:
    from casework.models import InquiryStatus
    from casework.services import inquiries as inq
    from tests.casework.case_helpers import make_department, outreach

    case = svc.case_finish_outreach(case=outreach(world, _case(world)), actor=world.officer)
    department = make_department(world.department)
    (inquiry,) = inq.inquiry_request(case=case, departments=[department], actor=world.coordinator)
    url = f"/cases/{case.pk}/inquiries/{inquiry.pk}/sign/"

    client.force_login(world.officer)
    assert 'data-action="sign"' not in client.get(f"/cases/{case.pk}/").content.decode()
    refused = client.post(url)
    assert refused.status_code == 403 and "只有组织部门协调员" in refused.content.decode()
    client.force_login(world.outsider)
    assert client.post(url).status_code == 404

    client.force_login(world.coordinator)
    assert 'data-action="sign"' in client.get(f"/cases/{case.pk}/").content.decode()
    assert client.post(url).status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.SIGNED
    again = client.post(url)
    assert again.status_code == 409
    assert AuditEvent.objects.filter(action="inquiry.sign").count() == 1


def test_the_secretary_withdraws_a_case_from_the_case_page_and_its_tasks_go(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    from casework.models import MemberStatus
    from tests.workflows.flow_helpers import open_case
    from workflows.models import TaskDue

    case = open_case(world, django_capture_on_commit_callbacks)
    assert TaskDue.objects.filter(case=case, state="open").count() == 1
    client.force_login(world.secretary)
    assert 'id="withdraw-form"' in client.get(f"/cases/{case.pk}/").content.decode()

    response = client.post(
        f"/cases/{case.pk}/withdraw/", {"reason_code": "deceased", "reason": "家属告知已病故"}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    case.member.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN and case.withdraw_reason == "deceased"
    assert case.member.status == MemberStatus.DECEASED
    assert not TaskDue.objects.filter(case=case, state="open").exists()
    assert AuditEvent.objects.filter(action="case.withdraw", object_id=str(case.pk)).exists()
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "案件已撤销" in page and 'id="withdraw-form"' not in page


def test_withdrawing_refuses_bad_input_officers_and_outsiders(world, client: Client) -> None:
    case = _case(world)
    client.force_login(world.secretary)
    response = client.post(f"/cases/{case.pk}/withdraw/", {"reason_code": "deceased"})
    assert response.status_code == 400 and "该字段是必填项" in response.content.decode()
    response = client.post(f"/cases/{case.pk}/withdraw/", {"reason_code": "bored", "reason": "x"})
    assert response.status_code == 400
    client.force_login(world.officer)
    assert 'id="withdraw-form"' not in client.get(f"/cases/{case.pk}/").content.decode()
    response = client.post(
        f"/cases/{case.pk}/withdraw/", {"reason_code": "opened_in_error", "reason": "误立案"}
    )
    assert response.status_code == 403
    client.force_login(world.outsider)
    response = client.post(
        f"/cases/{case.pk}/withdraw/", {"reason_code": "opened_in_error", "reason": "误立案"}
    )
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED
    assert not AuditEvent.objects.filter(action="case.withdraw").exists()


def _awaiting_approval(world) -> Case:
    from tests.casework.test_case_refusals import _meeting, _to_meeting

    return _meeting(_to_meeting(world, _case(world)), world.secretary)


def test_a_reviewer_names_and_removes_approvers_while_the_approval_is_pending(
    world, client: Client
) -> None:
    from casework.models import ApproverAssignment

    case = _awaiting_approval(world)
    assert case.status == CaseStatus.APPROVAL
    client.force_login(world.approver)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="add-approver-form"' in page and f'<option value="{world.approver2.pk}"' in page

    added = client.post(
        f"/cases/{case.pk}/approvers/", {"action": "add", "user": world.approver2.pk}
    )

    assert added.status_code == 302
    assert list(
        ApproverAssignment.objects.filter(is_active=True).values_list("user_id", flat=True)
    ) == [world.approver2.pk]
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'data-approver="{world.approver2.pk}"' in page
    removed = client.post(
        f"/cases/{case.pk}/approvers/", {"action": "remove", "user": world.approver2.pk}
    )
    assert removed.status_code == 302
    assert not ApproverAssignment.objects.filter(is_active=True).exists()
    assert AuditEvent.objects.filter(action="case.add_approver").count() == 1
    assert AuditEvent.objects.filter(action="case.remove_approver").count() == 1


def test_naming_approvers_refuses_strangers_officers_and_outsiders(world, client: Client) -> None:
    from casework.models import ApproverAssignment

    case = _awaiting_approval(world)
    url = f"/cases/{case.pk}/approvers/"
    client.force_login(world.approver)
    assert client.post(url, {"action": "add", "user": world.officer.pk}).status_code == 400
    assert client.post(url, {"action": "add", "user": "x"}).status_code == 400
    client.force_login(world.officer)
    assert 'id="add-approver-form"' not in client.get(f"/cases/{case.pk}/").content.decode()
    assert client.post(url, {"action": "add", "user": world.approver2.pk}).status_code in (400, 403)
    client.force_login(world.outsider)
    assert client.post(url, {"action": "add", "user": world.approver2.pk}).status_code == 404
    assert not ApproverAssignment.objects.exists()
