"""Sentry and S3 are optional: configured by environment, refused loudly when misconfigured."""

import sys

import pytest
from django.core.exceptions import ImproperlyConfigured


def test_sentry_starts_without_personal_data_when_a_dsn_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sentry_sdk

    from settings.sentry import init_sentry

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **kw: calls.append(kw))
    monkeypatch.setenv("SENTRY_TRACES_SAMPLE_RATE", "0.1")
    assert init_sentry("https://key@errors.example.org/1") is True
    assert calls[0]["send_default_pii"] is False
    assert calls[0]["traces_sample_rate"] == 0.1


def test_a_bad_sentry_sample_rate_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from settings.sentry import init_sentry

    monkeypatch.setenv("SENTRY_TRACES_SAMPLE_RATE", "2")
    with pytest.raises(ImproperlyConfigured):
        init_sentry("https://key@errors.example.org/1")


def test_without_sentry_sdk_installed_the_app_still_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    from settings.sentry import init_sentry

    monkeypatch.setitem(sys.modules, "sentry_sdk", None)
    assert init_sentry("https://key@errors.example.org/1") is False


def test_s3_storage_needs_django_storages_and_a_bucket(monkeypatch: pytest.MonkeyPatch) -> None:
    from settings.storage import s3_storage

    monkeypatch.setitem(sys.modules, "storages", None)
    with pytest.raises(ImproperlyConfigured, match="django-storages"):
        s3_storage()
    monkeypatch.setitem(sys.modules, "storages", type(sys)("storages"))
    monkeypatch.setenv("LIANLUO_S3_BUCKET", "lianluo-docs")
    monkeypatch.setenv("LIANLUO_S3_ENDPOINT_URL", "https://minio.internal:9000")
    config = s3_storage()
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    options = config["OPTIONS"]
    assert isinstance(options, dict)
    assert options["bucket_name"] == "lianluo-docs"
    assert options["default_acl"] == "private"
    assert "access_key" not in options
