"""Production: every secret comes from the environment; missing ones stop the process."""

from django.core.exceptions import ImproperlyConfigured

from settings.base import *  # noqa: F403
from settings.env import env_bool, env_int, env_list, env_str

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
LIANLUO_PII_KEYS = env_list("LIANLUO_PII_KEYS")
if not LIANLUO_PII_KEYS:
    raise ImproperlyConfigured("LIANLUO_PII_KEYS is required in production.")
LIANLUO_BLIND_INDEX_KEY = env_str("LIANLUO_BLIND_INDEX_KEY")
LIANLUO_AUDIT_KEYS = env_list("LIANLUO_AUDIT_KEYS")
if not LIANLUO_AUDIT_KEYS:
    raise ImproperlyConfigured("LIANLUO_AUDIT_KEYS is required in production.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# One JSON object a line on stderr (journald / docker logs collect it).
LOG_FORMAT = env_str("LIANLUO_LOG_FORMAT", "json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405
# Probes and the metrics scraper talk to gunicorn directly over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# nginx (deploy/nginx) is the one proxy in front: it appends the client to X-Forwarded-For.
LIANLUO_TRUSTED_PROXY_COUNT = env_int("LIANLUO_TRUSTED_PROXY_COUNT", 1, minimum=0)
