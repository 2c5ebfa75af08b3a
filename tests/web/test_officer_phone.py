"""The officer's phone: from a member's card, reveal the phone (audited), call it (tel: link),
log the outcome in one tap — a CSRF-protected POST, no personal data in any URL."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from casework.models import AuditEvent, ContactAttempt
from tests.factories import make_member
from tests.workflows.flow_helpers import open_case, open_task

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture(autouse=True)
def _no_pdf_render(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)


def _claimed_outreach(world, client, callbacks):
    case = open_case(world, callbacks, name="林小梅", phone=PHONE, contact_officer=world.officer)
    due = open_task(case, "outreach")
    client.force_login(world.officer)
    client.post(f"/queues/task/{due.task_id}/claim/")
    url = reverse("workflows:outreach:execute", args=[due.task.process_id, due.task_id])
    return case, due, url


def test_the_officer_reveals_calls_and_logs_the_outcome_on_the_outreach_task(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    case, due, task_url = _claimed_outreach(world, client, django_capture_on_commit_callbacks)
    page = client.get(task_url).content.decode()
    assert PHONE not in page and "139****5678" in page and 'id="call"' in page

    call = client.post(
        reverse("register:call", args=[case.member.pk]), {"task": due.task_id, "next": "/x/"}
    )

    body = call.content.decode()
    assert call.status_code == 200 and call["Cache-Control"] == "no-store"
    assert f'href="tel:{PHONE}"' in body
    assert f'action="{task_url}"' in body  # the outcome goes to the task the officer holds
    reveal = AuditEvent.objects.get(action="member.reveal")
    assert reveal.after == {"fields": ["phone"]} and reveal.actor_id == world.officer.pk
    assert PHONE not in str(reveal.after)

    logged = client.post(task_url, {"action": "record", "channel": "phone", "outcome": "no_answer"})

    assert logged.status_code == 302 and logged["Location"] == task_url
    attempt = ContactAttempt.objects.get(case=case)
    assert (attempt.channel, attempt.outcome, attempt.recorded_by_id) == (
        "phone",
        "no_answer",
        world.officer.pk,
    )
    assert "电话 · 无人接听" in client.get(task_url).content.decode()


def test_revealing_to_call_needs_a_post_with_the_csrf_token(
    world, django_capture_on_commit_callbacks
) -> None:
    client = Client(enforce_csrf_checks=True)
    case, due, _url = _claimed_outreach(world, client, django_capture_on_commit_callbacks)
    url = reverse("register:call", args=[case.member.pk])

    assert client.get(url).status_code == 405
    assert client.post(url, {"task": due.task_id}).status_code == 403
    assert not AuditEvent.objects.filter(action="member.reveal").exists()


def test_without_a_held_outreach_task_the_call_is_logged_as_a_plain_contact(
    world, client: Client
) -> None:
    member = make_member(world.branch, phone=PHONE, contact_officer=world.officer)
    client.force_login(world.officer)

    call = client.post(
        reverse("register:call", args=[member.pk]), {"task": "999999", "next": "/prevention/"}
    )

    body = call.content.decode()
    assert f'action="{reverse("prevention:contact", args=[member.pk])}"' in body
    assert 'name="quick" value="phone:reached"' in body and 'value="/prevention/"' in body
    logged = client.post(
        reverse("prevention:contact", args=[member.pk]),
        {"quick": "phone:reached", "next": "/prevention/"},
    )
    assert logged.status_code == 302 and logged["Location"] == "/prevention/"
    assert ContactAttempt.objects.get(member=member).outcome == "reached"


def test_someone_elses_task_or_an_off_site_return_address_is_not_followed(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    case = open_case(
        world, django_capture_on_commit_callbacks, phone=PHONE, contact_officer=world.officer
    )
    due = open_task(case, "outreach")
    client.force_login(world.secretary)
    client.post(f"/queues/task/{due.task_id}/claim/")
    client.force_login(world.officer)

    body = client.post(
        reverse("register:call", args=[case.member.pk]),
        {"task": due.task_id, "next": "https://evil.example/"},
    ).content.decode()

    task_url = reverse("workflows:outreach:execute", args=[due.task.process_id, due.task_id])
    assert task_url not in body
    assert f'action="{reverse("prevention:contact", args=[case.member.pk])}"' in body
    assert "evil.example" not in body


def test_readers_and_outsiders_cannot_reveal_to_call(world, client: Client) -> None:
    member = make_member(world.branch, phone=PHONE, contact_officer=world.officer)
    url = reverse("register:call", args=[member.pk])

    client.force_login(world.inspector)
    assert client.post(url).status_code == 403
    client.force_login(world.outsider)
    assert client.post(url).status_code == 404
    assert not AuditEvent.objects.filter(action="member.reveal").exists()
