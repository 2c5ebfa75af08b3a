"""Settings shared by every environment. Differences come from environment variables only."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from settings.env import (
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_optional,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("LIANLUO_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI / Redoc assets served locally (no CDN)
    "viewflow",
    "viewflow.workflow",
    "casework",
    "documents",
    "integrations",
    "workflows",
    "web",
    "axes",
]

MIDDLEWARE = [
    "web.middleware.RequestIdMiddleware",  # first: even redirects and static files carry an id
    "web.middleware.RefuseNulMiddleware",  # before anything reads a cookie or the database
    "django.middleware.security.SecurityMiddleware",
    "web.security.ContentSecurityPolicyMiddleware",
    "web.security.ApiNoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "web.metrics.RequestMetricsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "web.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "viewflow.middleware.SiteMiddleware",
    "viewflow.middleware.HotwireTurboMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "web.errors.DomainErrorMiddleware",  # domain errors a page does not show itself
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout page
]

ROOT_URLCONF = "web.urls"
WSGI_APPLICATION = "settings.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Searched before app templates, so web/templates can override viewflow's own.
        "DIRS": [BASE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{(VAR_DIR / 'lianluo.sqlite3').as_posix()}")
# (an absolute path gives sqlite:////abs/path; sqlite:///var/x.db is relative to the project)
DATABASES = {"default": database_from_url(DATABASE_URL, base_dir=BASE_DIR)}
# SQLite (the embedded default) ignores the non-key columns of the queues' covering indexes;
# PostgreSQL uses them. The index still works on SQLite, so its W040 warning is noise.
_sqlite = str(DATABASES["default"]["ENGINE"]).endswith("sqlite3")
SILENCED_SYSTEM_CHECKS = ["models.W040"] if _sqlite else []
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------------
REDIS_URL = env_optional("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "lianluo",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env_optional("CELERY_BROKER_URL")
# No broker configured: tasks run in-process, at once, and their errors propagate.
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
# The in-process stand-in names a host: kombu warns "No hostname was supplied" otherwise.
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = env_optional("CELERY_RESULT_BACKEND")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"
# A broker that is down fails a publish in about a second (the outbox sweep retries it later).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
# Workers log through LOGGING below (JSON in production, request ids from web.task_context).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The periodic work; each entry calls a thin task that calls a service.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "viewflow-timers": {
        "task": "workflows.tasks.fire_workflow_timers",
        "schedule": 60,
    },
    # Outbox (integrations/outbox.py): publish what is due, was abandoned or never published.
    "outbox-sweep": {
        "task": "integrations.tasks.outbox_sweep",
        "schedule": env_int("LIANLUO_OUTBOX_SWEEP_SECONDS", 30, minimum=1),
    },
}
# Nightly lost-contact sweep (fans out one task per chunk of organisations).
CELERY_BEAT_SCHEDULE["detect-lost-contact"] = {
    "task": "casework.tasks.detect_lost_contact_task",
    "schedule": crontab(hour=1, minute=30),
}
CELERY_BEAT_SCHEDULE["audit-anchor"] = {
    "task": "casework.tasks.audit_anchor_task",
    "schedule": env_int("LIANLUO_AUDIT_ANCHOR_SECONDS", 3600, minimum=10),
}
# Dashboard rollup after the sweep: the top organisation's dashboard reads it (issue #8).
CELERY_BEAT_SCHEDULE["dashboard-rollup"] = {
    "task": "casework.tasks.dashboard_rollup_task",
    "schedule": crontab(hour=2, minute=30),
}
# Receipt follow-ups; new ones are chased with a letter (outbox TRANSFER_CHASE → transfer_chaser).
CELERY_BEAT_SCHEDULE["transfer-follow-ups"] = {
    "task": "casework.tasks.transfer_follow_ups_task",
    "schedule": crontab(hour=6, minute=0),
}
# Contact duty: remind officers of members due for contact (after the lost-contact sweep).
CELERY_BEAT_SCHEDULE["contact-due-reminders"] = {
    "task": "casework.tasks.contact_due_reminders_task",
    "schedule": crontab(hour=7, minute=0),
}

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
SESSION_COOKIE_AGE = env_int("LIANLUO_SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout, not absolute
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while locked out
    "django.contrib.auth.backends.ModelBackend",
]
# Login lockout (django-axes): N failures for one username from one client address lock that
# pair for the cool-off period. The address comes from integrations.client_address.client_ip
# (proxy-aware; the same function the API's rate limits use).
AXES_FAILURE_LIMIT = env_int("LIANLUO_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LIANLUO_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "integrations.client_address.client_ip"
AXES_LOCKOUT_CALLABLE = "web.lockout.lockout_response"  # the page, or problem+json for /api/
LIANLUO_TRUSTED_PROXY_COUNT = env_int("LIANLUO_TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_COOLOFF_MESSAGE = _("登录失败次数过多，账户已暂时锁定，请稍后再试。")
AXES_PERMALOCK_MESSAGE = _("登录失败次数过多，账户已锁定，请联系系统管理员解锁。")

# --- I18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and stored files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
LIANLUO_IMPORT_MAX_BYTES = env_int("LIANLUO_IMPORT_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_optional("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = env_optional("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "lianluo@localhost")

# --- Personal data encryption -----------------------------------------------------------------
# Comma-separated Fernet keys; the first encrypts, all decrypt (rotation). Set per environment.
LIANLUO_PII_KEYS: list[str] = env_list("LIANLUO_PII_KEYS")
LIANLUO_BLIND_INDEX_KEY: str | None = env_optional("LIANLUO_BLIND_INDEX_KEY")
# Audit trail HMAC keys (casework/audit_keys.py), comma-separated, >= 32 characters each: the
# first signs new events and anchors, all verify. Kept outside the database, like the PII keys.
LIANLUO_AUDIT_KEYS: list[str] = env_list("LIANLUO_AUDIT_KEYS")
# Signed copies of every audit stream's head, written by beat (casework.tasks.audit_anchor_task)
# and compared by `verify_audit_chain --anchors`: put this directory on storage the database's
# administrators cannot rewrite (another host, a WORM bucket mount).
LIANLUO_AUDIT_ANCHOR_DIR = Path(env_str("LIANLUO_AUDIT_ANCHOR_DIR", str(VAR_DIR / "audit-anchors")))

# --- Public base URL (for verification links and QR codes) ----------------------------------
LIANLUO_PUBLIC_URL = env_str("LIANLUO_PUBLIC_URL", "http://127.0.0.1:8000")

# --- Documents (documents/fonts.py) -------------------------------------------------------------
# Directory of the fonts for the four GB/T 9704 roles (default: the Fandol fonts that
# deploy/setup-system.sh extracts); LIANLUO_FONT_FILES (JSON role → file name) names an
# organisation's own licensed fonts: fangsong, kai, hei, song, song_bold.
LIANLUO_FONT_DIR = Path(env_str("LIANLUO_FONT_DIR", str(VAR_DIR / "fonts" / "fandol")))
LIANLUO_FONT_FILES: dict[str, str] = json.loads(env_str("LIANLUO_FONT_FILES", "{}"))

# --- REST framework ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "web.api.auth.TokenAuthentication",  # first: its Bearer challenge makes 401s
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "web.api.strict.ConformsToSchema",  # a request the schema forbids: 400
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["web.api.parsers.JSONParser"],  # depth limit, no NUL
    "EXCEPTION_HANDLER": "web.api.errors.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "web.api.pagination.Cursor",
    # No OPTIONS metadata (405): /api/schema/ describes every operation, and DRF's metadata
    # needs a serializer and an object per view (a server error on action views).
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_THROTTLE_RATES": {
        "api_auth": env_str("LIANLUO_API_AUTH_RATE", "10/min"),
        "api_tokens": env_str("LIANLUO_API_TOKEN_RATE", "30/min"),
        "api_verify": env_str("LIANLUO_API_VERIFY_RATE", "60/min"),
        "api_webhook": env_str("LIANLUO_API_WEBHOOK_RATE", "120/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "lianluo API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "casework.models.cases.CaseStatus",
        "InquiryStatusEnum": "casework.models.inquiries.InquiryStatus",
        "MemberStatusEnum": "casework.models.members.MemberStatus",
        "AttendanceStatusEnum": "casework.models.ledgers.AttendanceStatus",
        "DocumentStatusEnum": "documents.models.DocumentStatus",
        "OrgKindEnum": "casework.models.organisations.OrgKind",
        "WithdrawReasonEnum": "casework.models.cases.WithdrawReason",
        "MeetingKindEnum": "casework.models.ledgers.MeetingKind",
        "DocumentKindEnum": "documents.kinds.DocumentKind",
        "ContactChannelEnum": "casework.models.ledgers.ContactChannel",
        "NoticeChannelEnum": "casework.models.prevention.NoticeChannel",
        "TrainingKindEnum": "casework.models.prevention.TrainingKind",
        "DepartmentKindEnum": "casework.models.DepartmentKind",
        "DeliveryChannelEnum": "integrations.models.directory.ChannelKind",
        "DeliveryStateEnum": "integrations.models.delivery.DeliveryState",
        "LetterKindEnum": "integrations.models.delivery.LetterKind",
        "LookupEnum": "integrations.models.directory.Lookup",
        "RoleEnum": "casework.models.organisations.Role",
    },
    # web.api.urls IdConverter: database ids, larger numbers are a 404 (not an overflow)
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "web.api.schema.add_problem_responses",
        "web.api.strict.tighten_schema",
    ],
}

# --- Logging ----------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOG_FORMAT = env_str("LIANLUO_LOG_FORMAT", "plain")  # "plain" or "json" (one object a line)
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LIANLUO_LOG_FORMAT must be plain or json, got {LOG_FORMAT!r}.")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "web.middleware.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "()": "web.logformat.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "web.jsonlog.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own console handler (DEBUG only) printed its records a second time,
        # without a time: every django.* record goes through ours, once.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # runserver's request lines, in the same format (Django's own has no time zone)
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Policy -----------------------------------------------------------------------------------
# JSON object of RuleSet field → value applied over every rule set (casework/policy.py).
LIANLUO_POLICY_OVERRIDES = json.loads(env_str("LIANLUO_POLICY_OVERRIDES", "{}"))

# --- Integrations (departments, messaging) ------------------------------------------------------
LIANLUO_LETTER_BACKEND = env_str(
    "LIANLUO_LETTER_BACKEND", "integrations.letters.DocumentsLetterBackend"
)
LIANLUO_HTTP_TIMEOUT = env_int("LIANLUO_HTTP_TIMEOUT", 10, minimum=1)
LIANLUO_DELIVERY_MAX_RETRIES = env_int("LIANLUO_DELIVERY_MAX_RETRIES", 6, minimum=0)
LIANLUO_DELIVERY_BACKOFF_SECONDS = env_int("LIANLUO_DELIVERY_BACKOFF_SECONDS", 30, minimum=1)
LIANLUO_DELIVERY_BACKOFF_MAX_SECONDS = env_int(
    "LIANLUO_DELIVERY_BACKOFF_MAX_SECONDS", 3600, minimum=1
)
# A letter `sending` for longer than this was abandoned by its sender (e.g. a killed worker).
LIANLUO_DELIVERY_TIMEOUT_SECONDS = env_int("LIANLUO_DELIVERY_TIMEOUT_SECONDS", 600, minimum=1)
# Outbox (casework/outbox.py, integrations/outbox.py): a worker's claim on a message lasts this
# long (then the sweep hands it to another); acknowledged messages are kept this many days.
# Retries and backoff of every outbox message: the LIANLUO_DELIVERY_* settings above.
LIANLUO_OUTBOX_LEASE_SECONDS = env_int("LIANLUO_OUTBOX_LEASE_SECONDS", 600, minimum=1)
LIANLUO_OUTBOX_KEEP_DAYS = env_int("LIANLUO_OUTBOX_KEEP_DAYS", 7, minimum=0)
# Right-hand side of the stable Message-IDs of letters and notices.
LIANLUO_MESSAGE_ID_DOMAIN = env_str(
    "LIANLUO_MESSAGE_ID_DOMAIN", DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
)
LIANLUO_WEBHOOK_WINDOW_SECONDS = env_int("LIANLUO_WEBHOOK_WINDOW_SECONDS", 300, minimum=10)
LIANLUO_INQUIRY_AUTO_REMIND = env_bool("LIANLUO_INQUIRY_AUTO_REMIND", True)
LIANLUO_SMS_BACKEND = env_str(
    "LIANLUO_SMS_BACKEND", "integrations.messaging.console.ConsoleBackend"
)
LIANLUO_WECHAT_BACKEND = env_str(
    "LIANLUO_WECHAT_BACKEND", "integrations.messaging.console.ConsoleBackend"
)
LIANLUO_SMS_URL = env_str("LIANLUO_SMS_URL", "")
LIANLUO_SMS_TOKEN = env_str("LIANLUO_SMS_TOKEN", "")
LIANLUO_SMS_SIGN_NAME = env_str("LIANLUO_SMS_SIGN_NAME", "联络")
LIANLUO_WECHAT_URL = env_str("LIANLUO_WECHAT_URL", "")
LIANLUO_WECHAT_TOKEN = env_str("LIANLUO_WECHAT_TOKEN", "")
LIANLUO_MESSAGE_FILE_DIR = env_str("LIANLUO_MESSAGE_FILE_DIR", str(VAR_DIR / "messages"))
LIANLUO_RECONNECT_LINK_DAYS = env_int("LIANLUO_RECONNECT_LINK_DAYS", 7, minimum=1)
# The organisation's own member platform (measure 4, e.g. 福州党员e家): linked from the public
# branch contact cards and the reconnect page when set.
LIANLUO_PLATFORM_NAME = env_str("LIANLUO_PLATFORM_NAME", "")
LIANLUO_PLATFORM_URL = env_str("LIANLUO_PLATFORM_URL", "")
if LIANLUO_PLATFORM_URL and not LIANLUO_PLATFORM_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("LIANLUO_PLATFORM_URL must start with http:// or https://.")
CELERY_BEAT_SCHEDULE["inquiries-overdue"] = {
    "task": "integrations.tasks.inquiries_overdue_task",
    "schedule": 3600,
}

# --- Operations: metrics, error reporting, object storage (deploy/RUNBOOK.md) -------------------
# /metrics answers staff users, or a scraper sending "Authorization: Bearer <token>".
LIANLUO_METRICS_TOKEN: str | None = env_optional("LIANLUO_METRICS_TOKEN")
# Celery queues whose Redis length /metrics reports as queue depth.
LIANLUO_METRICS_QUEUES = env_list("LIANLUO_METRICS_QUEUES", ["celery"])
SENTRY_DSN: str | None = env_optional("SENTRY_DSN")
if SENTRY_DSN:
    from settings.sentry import init_sentry

    init_sentry(SENTRY_DSN)
# Documents in object storage (S3-compatible) instead of MEDIA_ROOT: LIANLUO_STORAGE=s3.
LIANLUO_STORAGE = env_str("LIANLUO_STORAGE", "local")
if LIANLUO_STORAGE == "s3":
    from settings.storage import s3_storage

    STORAGES["default"] = s3_storage()
elif LIANLUO_STORAGE != "local":
    raise ImproperlyConfigured(f"LIANLUO_STORAGE must be local or s3, got {LIANLUO_STORAGE!r}.")
