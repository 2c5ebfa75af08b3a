"""Object storage for stored documents (LIANLUO_STORAGE=s3): django-storages' S3 backend."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from settings.env import env_bool, env_optional, env_str


def s3_storage() -> dict[str, object]:
    """The STORAGES["default"] entry for any S3-compatible store (MinIO, Ceph, cloud S3)."""
    try:
        import storages  # noqa: F401
    except ImportError as exc:
        raise ImproperlyConfigured(
            "LIANLUO_STORAGE=s3 needs django-storages[s3] (pip install 'lianluo[s3]')."
        ) from exc
    options: dict[str, object] = {
        "bucket_name": env_str("LIANLUO_S3_BUCKET"),
        "endpoint_url": env_optional("LIANLUO_S3_ENDPOINT_URL"),
        "region_name": env_optional("LIANLUO_S3_REGION"),
        "access_key": env_optional("LIANLUO_S3_ACCESS_KEY_ID"),
        "secret_key": env_optional("LIANLUO_S3_SECRET_ACCESS_KEY"),
        "location": env_str("LIANLUO_S3_PREFIX", "documents"),
        # Documents are personal data: private objects, short-lived signed URLs, no overwrites.
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": 300,
        "file_overwrite": False,
        "verify": env_bool("LIANLUO_S3_VERIFY_TLS", True),
    }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {key: value for key, value in options.items() if value is not None},
    }
