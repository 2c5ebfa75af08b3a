"""Rate limits: token management, the password exchange (see test_auth_and_tokens) and the
signed answer webhook answer 429 problem documents with Retry-After beyond their rate."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from integrations.views.webhooks import WebhookThrottle
from web.api.throttles import TokenThrottle

pytestmark = pytest.mark.django_db


def _assert_throttled(response) -> None:
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["status"] == 429
    assert int(response["Retry-After"]) >= 1


def test_token_management_is_rate_limited_per_user(world, client_for, monkeypatch) -> None:
    monkeypatch.setattr(TokenThrottle, "THROTTLE_RATES", {"api_tokens": "2/min"})
    client = client_for(world.officer)
    codes = [client.get("/api/v1/tokens/").status_code for _ in range(2)]
    assert codes == [200, 200]
    throttled = client.post("/api/v1/tokens/", {"name": "x"}, format="json")
    _assert_throttled(throttled)
    assert throttled.json()["code"] == "throttled"
    assert client_for(world.secretary).get("/api/v1/tokens/").status_code == 200


def test_the_answer_webhook_is_rate_limited_before_the_signature_check(
    monkeypatch,
) -> None:
    monkeypatch.setattr(WebhookThrottle, "THROTTLE_RATES", {"api_webhook": "2/min"})
    client = APIClient()
    url = "/integrations/webhooks/inquiry-answer"
    codes = [client.post(url, b"{}", content_type="application/json").status_code for _ in "ab"]
    assert codes == [401, 401]
    throttled = client.post(url, b"{}", content_type="application/json")
    _assert_throttled(throttled)
    assert throttled.json()["code"] == "throttled"
    other_address = client.post(url, b"{}", content_type="application/json", REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 401
