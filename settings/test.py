"""Tests: fixed keys, fast hashing; DATABASE_URL / CELERY_BROKER_URL switch to real services."""

from settings.base import *  # noqa: F403
from settings.env import env_bool, env_list, env_optional, env_str

SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LIANLUO_PII_KEYS = env_list("LIANLUO_PII_KEYS") or [
    "eM3L4nUqv5Uu0H8Ew3TJr3j0m1l9ZCkE8YFh0sT0hQ8=",
]
LIANLUO_BLIND_INDEX_KEY = env_optional("LIANLUO_BLIND_INDEX_KEY") or "0" * 64
LIANLUO_AUDIT_KEYS = env_list("LIANLUO_AUDIT_KEYS") or ["test-audit-key-" + "a" * 32]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Fault tests start real workers on the test database with an SMTP backend (tests/integrations).
EMAIL_BACKEND = env_str(
    "LIANLUO_TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)

# Tests run tasks in-process unless a test asks for the real worker (the `celery_worker`
# fixture in tests/conftest.py switches this off while a worker thread consumes the broker;
# the worker processes of the fault tests run with LIANLUO_TEST_TASKS_EAGER=0).
CELERY_TASK_ALWAYS_EAGER = env_bool("LIANLUO_TEST_TASKS_EAGER", True)

# The audit tables refuse DELETE and TRUNCATE on PostgreSQL, with no setting to bypass them;
# tests/conftest.py flushes test databases as a superuser in replication mode instead.

# django-axes refuses Client.login() without a request; the lockout tests switch it on.
AXES_ENABLED = False
