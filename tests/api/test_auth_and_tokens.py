"""Authentication: session or per-user bearer tokens (hashed), revocation, rate limits."""

from __future__ import annotations

import hashlib

import pytest
from rest_framework.test import APIClient

from casework.models import AuditEvent
from web.api.models import ApiToken
from web.api.throttles import AuthThrottle


def test_a_request_without_credentials_is_401_with_a_bearer_challenge(db):
    response = APIClient().get("/api/v1/cases/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_the_user_creates_a_token_shown_once_and_stored_only_as_its_hash(world):
    client = APIClient()
    client.force_login(world.officer)
    created = client.post("/api/v1/tokens/", {"name": "报表系统"}, format="json")
    assert created.status_code == 201
    plaintext = created.json()["token"]
    row = ApiToken.objects.get(pk=created.json()["id"])
    assert row.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in {row.prefix, row.token_hash, row.name}
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert [t["name"] for t in listed] == ["报表系统"]
    assert "token" not in listed[0]
    assert AuditEvent.objects.filter(action="api_token.create", object_id=str(row.pk)).exists()

    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert bearer.get("/api/v1/cases/").status_code == 200
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_a_revoked_token_is_refused_with_401(world, client_for):
    client = client_for(world.officer)
    token = ApiToken.objects.get(user=world.officer)
    assert client.delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    response = client.get("/api/v1/cases/")
    assert response.status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


@pytest.mark.parametrize("header", ["Bearer ll_0000000000_nope", "Bearer garbage", "Bearer a b"])
def test_a_wrong_token_is_refused_with_401(world, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/members/").status_code == 401


def test_a_user_cannot_revoke_someone_elses_token(world, client_for):
    client_for(world.secretary)
    theirs = ApiToken.objects.get(user=world.secretary)
    response = client_for(world.officer).delete(f"/api/v1/tokens/{theirs.pk}/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_session_writes_need_the_csrf_token(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.officer)
    assert client.get("/api/v1/tokens/").status_code == 200
    assert client.post("/api/v1/tokens/", {"name": "x"}, format="json").status_code == 403


def test_a_password_exchange_gives_a_working_token_and_wrong_passwords_get_401(world):
    client = APIClient()
    bad = client.post(
        "/api/v1/auth/token/",
        {"username": "officer", "password": "wrong", "name": "n"},
        format="json",
    )
    assert bad.status_code == 401
    good = client.post(
        "/api/v1/auth/token/", {"username": "officer", "password": "pw", "name": "n"}, format="json"
    )
    assert good.status_code == 201
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {good.json()['token']}")
    assert client.get("/api/v1/members/").status_code == 200


def test_the_password_exchange_is_rate_limited(world, monkeypatch):
    monkeypatch.setattr(AuthThrottle, "THROTTLE_RATES", {"api_auth": "2/min"})
    client = APIClient()
    body = {"username": "officer", "password": "wrong", "name": "n"}
    codes = [client.post("/api/v1/auth/token/", body, format="json").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
