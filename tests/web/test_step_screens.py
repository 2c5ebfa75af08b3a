"""Screens that show what is decided: the approval queue and the task pages show the proposal
(kind, grounds, reasons, proposer, the branch meeting's vote) beside the decision; the
officer's outreach task shows the attempts and what the minimum still needs; task forms are
rendered as Material fields."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from casework.services.ledgers import contact_attempt_record
from tests.workflows.flow_helpers import open_case, open_task, propose_to_meeting, step, today
from tests.workflows.test_case_flow import _not_located

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pdf_render(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)


def _at_approval(world, callbacks, name: str):
    case = _not_located(world, open_case(world, callbacks, name=name))
    case = propose_to_meeting(world, case, "suspend")
    return step(
        case,
        "meeting",
        world.secretary,
        decision="record",
        place="党员活动室",
        held_on=today(),
        voting_members=9,
        present=8,
        votes_for=6,
        votes_against=1,
        abstentions=1,
    )


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_approval_queue_shows_each_proposal_beside_its_task(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    case = _at_approval(world, django_capture_on_commit_callbacks, "林小梅")
    due = open_task(case, "approval")
    client.force_login(world.approver2)

    page = _text(client.get("/queues/approvals/"))

    row = page[page.index(f'data-task="{due.task_id}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-proposal="suspend"' in row and "停止党籍" in row
    assert "与党组织失去联系" in row  # the default ground of a suspension
    assert "经支委会研究" in row  # the reasons
    assert f"提议人：{world.secretary.get_full_name()}" in row
    assert "应到 9 人，实到 8 人；赞成 6、反对 1、弃权 1（通过）" in row


def test_the_approval_queue_reads_proposals_in_a_constant_number_of_queries(
    world, client: Client, django_capture_on_commit_callbacks, django_assert_max_num_queries
) -> None:
    _at_approval(world, django_capture_on_commit_callbacks, "甲")
    client.force_login(world.approver2)
    with django_assert_max_num_queries(14) as one:
        assert client.get("/queues/approvals/").status_code == 200
    for name in ("乙", "丙"):
        _at_approval(world, django_capture_on_commit_callbacks, name)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/queues/approvals/").content.decode()
    assert page.count('data-proposal="suspend"') == 3


def test_the_approval_task_page_shows_the_proposal_its_vote_and_pre_review(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    case = _at_approval(world, django_capture_on_commit_callbacks, "林小梅")
    due = open_task(case, "approval")
    url = reverse("workflows:approval:execute", args=[due.task.process_id, due.task_id])
    client.force_login(world.approver2)
    client.post(f"/queues/task/{due.task_id}/claim/")

    page = _text(client.get(url))

    proposal = page[
        page.index('id="proposal"') : page.index("</section>", page.index('id="proposal"'))
    ]
    assert "停止党籍" in proposal and "经支委会研究" in proposal
    assert "赞成 6、反对 1、弃权 1（通过）" in proposal
    assert f"审批党委预审：{world.approver.get_full_name()}" in proposal
    assert "已告知本人" in proposal and "有申辩意见" in proposal
    assert page.index('id="proposal"') < page.index('id="task-form"')  # beside the decision
    assert 'name="decision"' in page and "mdc-text-field--outlined" in page


def test_the_outreach_task_shows_the_attempts_and_what_the_minimum_still_needs(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks, name="林小梅")
    due = open_task(case, "outreach")
    url = reverse("workflows:outreach:execute", args=[due.task.process_id, due.task_id])
    client.force_login(world.officer)
    client.post(f"/queues/task/{due.task_id}/claim/")
    contact_attempt_record(
        member=case.member, actor=world.officer, channel="phone", outcome="no_answer", case=case
    )

    page = _text(client.get(url))

    assert page.count("data-attempt") == 1 and "电话 · 无人接听" in page
    assert 'data-met="0"' in page
    assert "至少联系 3 次、使用 2 种方式，其中须联系亲属" in page
    assert "还需：再联系 2 次；再换 1 种联系方式；联系亲属。" in page
    for channel in ("relative", "home_visit"):
        contact_attempt_record(
            member=case.member, actor=world.officer, channel=channel, outcome="no_answer", case=case
        )
    page = _text(client.get(url))
    assert 'data-met="1"' in page and "已满足，可以结束联系查找。" in page


def test_task_forms_render_every_field_in_the_material_look(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    case = _not_located(world, open_case(world, django_capture_on_commit_callbacks))
    due = open_task(case, "propose")
    url = reverse("workflows:propose:execute", args=[due.task.process_id, due.task_id])
    client.force_login(world.secretary)
    client.post(f"/queues/task/{due.task_id}/claim/")

    page = client.get(url).content.decode()
    form = page[page.index('id="task-form"') : page.index("</form>", page.index('id="task-form"'))]

    # a select keeps its native element and id, inside an outlined Material field
    assert re.search(r'mdc-text-field--outlined[^"]*ll-select', form)
    assert re.search(r'<select name="kind" class="mdc-text-field__input"[^>]*id="id_kind"', form)
    # checkboxes are MDC checkboxes with their labels
    assert 'class="mdc-checkbox__native-control" type="checkbox" id="id_grounds_0"' in form
    assert '<label for="id_grounds_0">' in form
    # textareas and numbers too; nothing is rendered bare
    assert re.search(r'<textarea name="reasons"[^>]*class="mdc-text-field__input"', form)
    assert re.search(r'type="number" name="correction_months"[^>]*inputmode="numeric"', form)
    assert form.count("data-field=") == 4


def test_a_refused_submission_shows_its_errors_on_the_material_fields(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    case = _not_located(world, open_case(world, django_capture_on_commit_callbacks))
    due = open_task(case, "propose")
    url = reverse("workflows:propose:execute", args=[due.task.process_id, due.task_id])
    client.force_login(world.secretary)
    client.post(f"/queues/task/{due.task_id}/claim/")

    response = client.post(url, {"kind": "suspend", "reasons": ""})

    page = response.content.decode()
    assert response.status_code == 200
    assert "ll-field--invalid" in page and 'id="id_reasons-error"' in page
    assert 'aria-invalid="true"' in page
