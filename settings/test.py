"""Tests: fixed keys, fast hashing; DATABASE_URL / CELERY_BROKER_URL switch to real services."""

from settings.base import *  # noqa: F403
from settings.env import env_list, env_optional

SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LIANLUO_PII_KEYS = env_list("LIANLUO_PII_KEYS") or [
    "eM3L4nUqv5Uu0H8Ew3TJr3j0m1l9ZCkE8YFh0sT0hQ8=",
]
LIANLUO_BLIND_INDEX_KEY = env_optional("LIANLUO_BLIND_INDEX_KEY") or "0" * 64
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Tests run tasks in-process unless a test asks for the real worker (the `celery_worker`
# fixture in tests/conftest.py switches this off while a worker thread consumes the broker).
CELERY_TASK_ALWAYS_EAGER = True

# Let test databases be flushed between tests despite the audit table's append-only trigger
# (see casework/migrations/0002); the trigger test switches it off again for itself.
_default: dict = DATABASES["default"]  # type: ignore[type-arg]  # noqa: F405
if str(_default["ENGINE"]).endswith("postgresql"):
    _default["OPTIONS"]["options"] = "-c lianluo.allow_audit_purge=on"

# django-axes refuses Client.login() without a request; the lockout tests switch it on.
AXES_ENABLED = False
