"""Development: the embedded default (SQLite, in-process tasks); dev secrets kept in var/."""

import base64
import secrets

from settings.base import *  # noqa: F403
from settings.base import VAR_DIR
from settings.env import env_bool, env_list, env_optional, stored_secret

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_optional("SECRET_KEY") or stored_secret(
    VAR_DIR / "secret_key", lambda: secrets.token_urlsafe(50)
)


def _fernet_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


LIANLUO_PII_KEYS = env_list("LIANLUO_PII_KEYS") or [stored_secret(VAR_DIR / "pii_key", _fernet_key)]
LIANLUO_BLIND_INDEX_KEY = env_optional("LIANLUO_BLIND_INDEX_KEY") or stored_secret(
    VAR_DIR / "blind_index_key", lambda: secrets.token_hex(32)
)
LIANLUO_AUDIT_KEYS = env_list("LIANLUO_AUDIT_KEYS") or [
    stored_secret(VAR_DIR / "audit_key", lambda: secrets.token_hex(32))
]
