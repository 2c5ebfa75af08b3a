"""Security headers, the idle session timeout and the deploy checklist."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.factories import make_user


@pytest.mark.django_db
def test_every_page_carries_a_csp_without_inline_scripts_and_denies_framing(
    client: Client,
) -> None:
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"].startswith("'self'")
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_the_login_page_has_no_inline_script_blocks(client: Client) -> None:
    page = client.get("/accounts/login/").content.decode()
    for chunk in page.split("<script")[1:]:
        assert "src=" in chunk.split(">", 1)[0], "inline <script> would be blocked by the CSP"


def test_an_idle_session_expires_and_activity_renews_it(client: Client, db: None) -> None:
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    user = make_user("officer")
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get("/home/")
    assert response.status_code == 200
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
    session = Session.objects.get()
    renewed_until = session.expire_date
    assert renewed_until > timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    # The user walks away; the idle period passes.
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/home/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def _setting_in_subprocess(name: str, **env: str) -> str:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django;django.setup();from django.conf import settings;print(settings.{name})",
        ],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "settings.test", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return (result.stdout + result.stderr).strip()


def test_the_idle_timeout_comes_from_lianluo_session_idle_seconds() -> None:
    assert _setting_in_subprocess("SESSION_COOKIE_AGE", LIANLUO_SESSION_IDLE_SECONDS="900") == "900"
    assert "must be >= 60" in _setting_in_subprocess(
        "SESSION_COOKIE_AGE", LIANLUO_SESSION_IDLE_SECONDS="5"
    )


def test_password_validators_refuse_short_common_and_numeric_passwords(db: None) -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("abc", "password", "12345678901"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("Lianluo-联络-2026!")
