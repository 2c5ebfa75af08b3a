"""The case page's appeal (申诉) card: the officer receives the member's appeal against the
decision in force; the organ above finds the review among the case's tasks and decides it on
its task page; the card shows the outcome. Bad input re-shows the form, nothing written."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from casework.models import Appeal, CaseStatus, MemberStatus
from documents.models import Document
from tests.workflows.flow_helpers import open_case, open_task, today
from tests.workflows.route_helpers import approve, not_located, to_approval

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pdf_render(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_an_appeal_is_received_on_the_case_page_and_decided_on_its_task_page(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks, name="陈立")
    case = approve(to_approval(world, not_located(world, case), "suspend"), world, decision="agree")
    client.force_login(world.officer)
    page = _text(client.get(f"/cases/{case.pk}/"))
    assert 'id="appeal-form"' in page and "受理申诉" in page

    bad = client.post(f"/cases/{case.pk}/appeal/", {"grounds": "", "received_on": str(today())})
    assert bad.status_code == 400 and 'id="appeal-form"' in _text(bad)
    assert not Appeal.objects.exists()

    done = client.post(
        f"/cases/{case.pk}/appeal/",
        {"grounds": "本人在外务工，并非故意失联。", "received_on": str(today())},
    )
    assert done.status_code == 302
    page = _text(client.get(f"/cases/{case.pk}/"))
    assert 'data-outcome="pending"' in page and "复查中" in page and world.department.name in page
    assert 'id="appeal-form"' not in page  # one appeal per decision
    assert Document.objects.filter(case=case, kind="appeal_acknowledgement").exists()

    # the department's coordinator sees the review among the case's tasks and decides it
    due = open_task(case, "appeal_review")
    client.force_login(world.coordinator)
    page = _text(client.get(f"/cases/{case.pk}/"))
    assert f'data-task="{due.task_id}" data-node="appeal_review"' in page
    url = f"/workflows/{due.task.process_id}/appeal_review/{due.task_id}/execute/"
    assert client.post(f"/queues/task/{due.task_id}/claim/").status_code == 302
    form = _text(client.get(url))
    assert 'name="outcome"' in form and 'name="reason"' in form
    assert 'id="appeal-facts"' in form and "本人在外务工，并非故意失联。" in form  # the grounds
    decided = client.post(url, {"outcome": "revoked", "reason": "认定失联的依据不足。"})
    assert decided.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.PROPOSAL and case.member.status == MemberStatus.NORMAL
    page = _text(client.get(f"/cases/{case.pk}/"))
    assert 'data-outcome="revoked"' in page and "撤销原决定" in page and "依据不足" in page


def test_no_appeal_card_before_a_decision_and_outsiders_get_404(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    client.force_login(world.officer)
    assert 'id="appeal-card"' not in _text(client.get(f"/cases/{case.pk}/"))
    refused = client.post(
        f"/cases/{case.pk}/appeal/", {"grounds": "理由", "received_on": str(today())}
    )
    assert refused.status_code == 409 and "没有可以申诉的生效处置决定" in _text(refused)
    client.force_login(world.outsider)
    assert (
        client.post(
            f"/cases/{case.pk}/appeal/", {"grounds": "理由", "received_on": str(today())}
        ).status_code
        == 404
    )
