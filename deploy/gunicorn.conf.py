"""gunicorn settings for lianluo's web process (systemd, compose and the Procfile use it).

Everything can be tuned from the environment:
  GUNICORN_BIND (default HOST:PORT, i.e. 127.0.0.1:8000), GUNICORN_WORKERS (2 x cores + 1),
  GUNICORN_THREADS (4), GUNICORN_TIMEOUT (60 s), GUNICORN_FORWARDED_ALLOW_IPS (127.0.0.1).
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

wsgi_app = "settings.wsgi:application"
bind = [
    os.environ.get(
        "GUNICORN_BIND",
        f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}",
    )
]
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # PDFs render in the worker, not here
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never becomes an outage.
max_requests = 2000
max_requests_jitter = 200
# Only the local proxy (nginx) may set X-Forwarded-* (Django trusts X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
# nginx enforces the upload limit; this is a second fence for direct access.
limit_request_field_size = 16380

# Logs on stderr as JSON lines, with the request id the app echoes in X-Request-ID.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    '{"logger": "gunicorn.access", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", '
    '"status": "%(s)s", "bytes": "%(B)s", "duration_ms": "%(M)s", '
    '"request_id": "%({x-request-id}o)s", "user_agent": "%(a)s"}'
)
# The query string may carry search terms: the access log keeps the path only (%(U)s).


def child_exit(server: Any, worker: Any) -> None:
    """Let prometheus-client's multiprocess mode forget the gauges of a dead worker."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
