"""Login lockout (django-axes): repeated failures lock the username, the cool-off unlocks it."""

import datetime as dt
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.utils import timezone

from tests.factories import make_user

LOCKOUT = override_settings(
    AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, AXES_COOLOFF_TIME=dt.timedelta(minutes=15)
)


def _login(client: Client, password: str) -> Any:
    return client.post("/accounts/login/", {"username": "officer", "password": password})


@pytest.fixture
def officer(db: None) -> object:
    return make_user("officer")


@LOCKOUT
def test_a_correct_password_logs_in_before_any_failure(client: Client, officer: object) -> None:
    response = _login(client, "pw")
    assert response.status_code == 302
    assert client.get("/home/").status_code == 200


@LOCKOUT
def test_it_locks_the_account_after_the_failure_limit_with_a_chinese_message(
    client: Client, officer: object
) -> None:
    assert _login(client, "wrong").status_code == 200  # the form again, with its error
    assert _login(client, "wrong").status_code == 200
    locked = _login(client, "wrong")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # Even the right password is refused while locked.
    refused = _login(client, "pw")
    assert refused.status_code == 429
    assert "账户已锁定" in refused.content.decode()
    assert client.get("/home/").status_code == 302


@LOCKOUT
def test_fewer_failures_than_the_limit_do_not_lock(client: Client, officer: object) -> None:
    _login(client, "wrong")
    _login(client, "wrong")
    assert _login(client, "pw").status_code == 302


@LOCKOUT
def test_the_account_unlocks_after_the_cool_off(client: Client, officer: object) -> None:
    for _ in range(3):
        _login(client, "wrong")
    assert _login(client, "pw").status_code == 429
    # Sixteen minutes later (the attempts age past the 15-minute cool-off):
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert _login(client, "pw").status_code == 302
    assert client.get("/home/").status_code == 200


@LOCKOUT
def test_a_lockout_of_one_user_does_not_lock_another(client: Client, officer: object) -> None:
    make_user("secretary")
    for _ in range(3):
        _login(client, "wrong")
    other = client.post("/accounts/login/", {"username": "secretary", "password": "pw"})
    assert other.status_code == 302


def test_the_client_address_behind_one_proxy_is_the_last_forwarded_hop() -> None:
    from django.test import RequestFactory

    from integrations.client_address import client_ip

    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3"
    )
    with override_settings(LIANLUO_TRUSTED_PROXY_COUNT=1):
        assert client_ip(request) == "10.1.2.3"  # the forged left part is ignored
    with override_settings(LIANLUO_TRUSTED_PROXY_COUNT=0):
        assert client_ip(request) == "127.0.0.1"
