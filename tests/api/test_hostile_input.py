"""Hostile input is answered, never a server error (issue #17, items 7, 8 and 11).

Each test is one request a user (or an attacker) sent and the answer they must get."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from casework.models import ContactAttempt
from tests.api.conftest import Seeded
from tests.workflows.flow_helpers import open_case, open_task
from web.api.throttles import AuthThrottle, VerifyThrottle
from workflows import services

pytestmark = pytest.mark.django_db


def _cursor(raw: str) -> str:
    return base64.b64encode(raw.encode()).decode()


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


# --- item 7: cursors, JSON depth, NUL ---------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "cursor", "status"),
    [
        ("/api/v1/cases/", "cD0yMDI3", 422),  # the forged "p=2027" on a date-ordered list
        ("/api/v1/cases/?ordering=updated_at", _cursor("p=not-a-date"), 422),
        ("/api/v1/members/", _cursor("p=99999999999999999999999"), 422),  # id beyond bigint
        ("/api/v1/members/?ordering=name", _cursor("p=a\x00b"), 422),
        ("/api/v1/members/", "!!!garbage!!!", 400),  # not even the cursor's alphabet
        ("/api/v1/members/", _cursor("o=-5&p=1"), 422),
    ],
)
def test_a_forged_or_garbage_cursor_is_refused_on_the_cursor(
    seeded: Seeded, client_for: Any, url: str, cursor: str, status: int
) -> None:
    """Outside the schema's alphabet: 400; well formed but naming no position: 422."""
    client = client_for(seeded.world.coordinator)
    joiner = "&" if "?" in url else "?"
    body = _problem(client.get(f"{url}{joiner}cursor={cursor}"), status)
    assert list(body["errors"]) == ["cursor"]


def test_a_real_cursor_still_pages_through_a_date_ordered_list(
    seeded: Seeded, client_for: Any
) -> None:
    client = client_for(seeded.world.coordinator)
    first = client.get("/api/v1/cases/?page_size=1")
    assert first.status_code == 200
    second = client.get(first.json()["next"])
    assert second.status_code == 200
    ids = [first.json()["results"][0]["id"], second.json()["results"][0]["id"]]
    assert sorted(ids) == sorted([seeded.case.pk, seeded.other_case.pk])


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 50_000 + b"]" * 50_000,  # exhausts the decoder: RecursionError before the fix
        b'{"name": ' + b"[" * 40 + b"1" + b"]" * 40 + b"}",  # decodes, but deeper than allowed
        b'{"name": "a\\u0000b"}',  # NUL in a string
        b'{"na\\u0000me": "x"}',  # NUL in a key
    ],
    ids=["deep_for_the_decoder", "deep_for_the_limit", "nul_value", "nul_key"],
)
def test_hostile_json_bodies_are_a_400_problem(
    seeded: Seeded, client_for: Any, body: bytes
) -> None:
    client = client_for(seeded.world.officer)
    response = client.post("/api/v1/tokens/", body, content_type="application/json")
    assert _problem(response, 400)["code"] == "parse_error"
    fine = client.post("/api/v1/tokens/", {"name": "ok"}, format="json")
    assert fine.status_code == 201


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/verify/%00/",  # anonymous: DataError → 500 before the fix
        "/api/v1/members/?search=%00",
        "/api/v1/cases/?status=ab%00cd",
    ],
)
def test_nul_in_an_api_url_is_a_400_problem(url: str) -> None:
    body = _problem(APIClient().get(url), 400)
    assert body["code"] == "nul_byte"


def test_nul_in_a_page_url_a_cookie_or_a_form_is_a_400(world: Any, client: Any) -> None:
    assert client.get("/cases/%00/").status_code == 400
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client.get("/home/").status_code == 400
    del client.cookies["sessionid"]
    response = client.post("/accounts/login/", {"username": "officer\x00", "password": "pw"})
    assert response.status_code == 400


# --- item 8: one client address for throttles and lockouts --------------------------------------


@pytest.mark.parametrize("proxies", [0, 1])
def test_a_forged_x_forwarded_for_does_not_open_new_login_buckets(
    world: Any, monkeypatch: pytest.MonkeyPatch, settings: Any, proxies: int
) -> None:
    settings.LIANLUO_TRUSTED_PROXY_COUNT = proxies
    monkeypatch.setattr(AuthThrottle, "THROTTLE_RATES", {"api_auth": "3/min"})
    client = APIClient()
    body = {"username": "officer", "password": "wrong", "name": "n"}
    codes = []
    for i in range(5):
        # what the client wrote, then (behind one proxy) the address nginx appended
        forwarded = f"203.0.113.{i}" + (", 10.0.0.7" if proxies else "")
        response = client.post(
            "/api/v1/auth/token/", body, format="json", HTTP_X_FORWARDED_FOR=forwarded
        )
        codes.append(response.status_code)
    assert codes == [401, 401, 401, 429, 429]


def test_a_forged_x_forwarded_for_does_not_reset_the_verify_throttle(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(VerifyThrottle, "THROTTLE_RATES", {"api_verify": "2/min"})
    client = APIClient()
    codes = [
        client.get(
            "/api/v1/verify/ABCDEFGH2345/", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}"
        ).status_code
        for i in range(4)
    ]
    assert codes[:2] == [404, 404]
    assert codes[2:] == [429, 429]


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, LIANLUO_TRUSTED_PROXY_COUNT=1)
def test_the_login_lockout_holds_whatever_x_forwarded_for_says(world: Any, client: Any) -> None:
    for i in range(3):
        client.post(
            "/accounts/login/",
            {"username": "officer", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 10.0.0.7",
        )
    locked = client.post(
        "/accounts/login/",
        {"username": "officer", "password": "pw"},
        HTTP_X_FORWARDED_FOR="192.0.2.99, 10.0.0.7",
    )
    assert locked.status_code == 429
    assert "账户已锁定" in locked.content.decode()


# --- item 11 ------------------------------------------------------------------------------------


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=2)
def test_a_locked_out_api_login_is_a_problem_document(world: Any) -> None:
    client = APIClient()
    body = {"username": "officer", "password": "wrong", "name": "n"}
    for _ in range(2):
        client.post("/api/v1/auth/token/", body, format="json", REMOTE_ADDR="10.9.9.9")
    body["password"] = "pw"
    locked = client.post("/api/v1/auth/token/", body, format="json", REMOTE_ADDR="10.9.9.9")
    problem = _problem(locked, 429)
    assert problem["code"] == "locked_out"
    assert "登录失败次数过多" in problem["detail"]
    assert int(locked["Retry-After"]) > 0


def test_the_timeline_is_a_paginated_list_as_the_schema_says(
    seeded: Seeded, client_for: Any
) -> None:
    client = client_for(seeded.world.officer)
    page = client.get(f"/api/v1/cases/{seeded.case.pk}/timeline/?page_size=1")
    assert page.status_code == 200
    body = page.json()
    assert set(body) == {"next", "previous", "results"}
    assert body["results"][0]["action"] == "case.open"
    rest = client.get(body["next"]).json()["results"]
    assert rest and rest[0]["id"] != body["results"][0]["id"]
    schema = client.get("/api/schema/?format=json").json()
    response = schema["paths"]["/api/v1/cases/{id}/timeline/"]["get"]["responses"]["200"]
    ref = response["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/PaginatedTimelineEntryList")


def test_a_step_note_beyond_the_limit_is_refused(
    world: Any, client_for: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)
    case = open_case(world, django_capture_on_commit_callbacks)
    due = open_task(case, "outreach")
    services.task_claim(task_id=due.task_id, user=world.officer)
    client = client_for(world.officer)
    payload = {
        "step": "outreach",
        "action": "record",
        "channel": "phone",
        "outcome": "no_answer",
        "notes": "长" * 100_000,
    }
    response = client.post(f"/api/v1/tasks/{due.task_id}/complete/", payload, format="json")
    assert "notes" in _problem(response, 400)["errors"]
    assert not ContactAttempt.objects.filter(member=case.member).exists()
    payload["notes"] = "长" * 2000
    accepted = client.post(f"/api/v1/tasks/{due.task_id}/complete/", payload, format="json")
    assert accepted.status_code == 200


@pytest.mark.parametrize("at", ["0063-05-01T10:00:00+08:00", "1989-12-31T23:00:00+08:00"])
def test_a_contact_attempt_in_an_implausible_year_is_refused(
    seeded: Seeded, client_for: Any, at: str
) -> None:
    client = client_for(seeded.world.officer)
    url = f"/api/v1/members/{seeded.member.pk}/contact-attempts/"
    response = client.post(url, {"channel": "phone", "outcome": "no_answer", "at": at}, "json")
    body = _problem(response, 422)
    assert body["code"] == "implausible_contact_time"
    assert at[:4] not in response.content.decode()
    ok = client.post(
        url,
        {"channel": "phone", "outcome": "no_answer", "at": dt.datetime(2026, 1, 5).isoformat()},
        "json",
    )
    assert ok.status_code == 201
    assert ok.json()["at"].endswith("+08:00")


@pytest.mark.parametrize(
    ("url", "value"),
    [
        ("/api/v1/cases/?status={v}", "zz-injected-value"),
        ("/api/v1/members/{pk}/contact-attempts/", "zz-injected-value"),
    ],
)
def test_error_bodies_do_not_echo_the_submitted_value(
    seeded: Seeded, client_for: Any, url: str, value: str
) -> None:
    client = client_for(seeded.world.officer)
    target = url.format(v=value, pk=seeded.member.pk)
    if "contact-attempts" in target:
        response = client.post(target, {"channel": value, "outcome": "no_answer"}, format="json")
    else:
        response = client.get(target)
    _problem(response, 400)
    assert value not in response.content.decode()


def test_member_and_case_json_is_never_stored_by_caches(seeded: Seeded, client_for: Any) -> None:
    client = client_for(seeded.world.secretary)
    for url in (
        f"/api/v1/members/{seeded.member.pk}/",
        "/api/v1/members/",
        f"/api/v1/cases/{seeded.case.pk}/",
        f"/api/v1/cases/{seeded.case.pk}/timeline/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
