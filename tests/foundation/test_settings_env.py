from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from settings.env import database_from_url, env_bool, env_int, env_str


def test_it_parses_a_postgres_url() -> None:
    db = database_from_url("postgres://u:p%40ss@127.0.0.1:5432/lianluo", base_dir=Path("/x"))
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["PORT"]) == ("lianluo", "u", "p@ss", "5432")


def test_it_resolves_relative_and_absolute_sqlite_paths() -> None:
    assert database_from_url("sqlite:///var/a.db", base_dir=Path("/srv"))["NAME"] == "/srv/var/a.db"
    assert database_from_url("sqlite:////tmp/a.db", base_dir=Path("/srv"))["NAME"] == "/tmp/a.db"


@pytest.mark.parametrize("url", ["mysql://h/db", "postgres://h/", "sqlite:///"])
def test_it_refuses_unusable_database_urls(url: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        database_from_url(url, base_dir=Path("/x"))


def test_bad_booleans_and_integers_fail_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_BOOL", "maybe")
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        env_bool("X_BOOL", False)
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env_int("X_INT", 1)


def test_a_required_value_that_is_missing_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("X_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_REQUIRED"):
        env_str("X_REQUIRED")
