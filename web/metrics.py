"""Prometheus metrics: HTTP requests, Celery task latency, queue depth and casework backlogs.

Process metrics (requests, tasks) live in prometheus-client's registry; with several
processes (gunicorn workers, the Celery worker) set PROMETHEUS_MULTIPROC_DIR to a directory
they share and /metrics aggregates it. Domain figures are computed with SQL at scrape time.
`/metrics` answers staff users, or a scraper presenting LIANLUO_METRICS_TOKEN as a bearer token.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from celery import signals
from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST

logger = logging.getLogger(__name__)

HTTP_REQUESTS = Counter(
    "lianluo_http_requests", "HTTP requests handled", ["method", "status", "view"]
)
HTTP_LATENCY = Histogram(
    "lianluo_http_request_duration_seconds",
    "Time to produce an HTTP response",
    ["method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TASK_LATENCY = Histogram(
    "lianluo_task_duration_seconds",
    "Celery task run time, by task and final state",
    ["task", "state"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300),
)

# Queue keys the Redis transport uses for a queue and its priority steps (kombu defaults).
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None and match.view_name else "unmatched"
        HTTP_REQUESTS.labels(request.method or "-", str(response.status_code), view).inc()
        HTTP_LATENCY.labels(request.method or "-").observe(time.perf_counter() - started)
        return response


# --- Celery task latency (recorded in the worker process) -----------------------------------
_task_started: dict[str, float] = {}


def _task_prerun(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        _task_started[task_id] = time.perf_counter()


def _task_postrun(
    task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any
) -> None:
    started = _task_started.pop(task_id or "", None)
    if started is not None:
        name = getattr(task, "name", None) or "unknown"
        TASK_LATENCY.labels(name, state or "UNKNOWN").observe(time.perf_counter() - started)


def connect_task_signals() -> None:
    signals.task_prerun.connect(_task_prerun, weak=False)
    signals.task_postrun.connect(_task_postrun, weak=False)


# --- Figures computed at scrape time ----------------------------------------------------------
def queue_depths() -> dict[str, int]:
    """LLEN of each configured Celery queue on a Redis broker; empty for other brokers."""
    broker = str(settings.CELERY_BROKER_URL)
    if settings.CELERY_TASK_ALWAYS_EAGER or not broker.startswith(("redis://", "rediss://")):
        return {}
    import redis

    client = redis.Redis.from_url(broker, socket_timeout=2, socket_connect_timeout=2)
    try:
        depths = {}
        for queue in settings.LIANLUO_METRICS_QUEUES:
            keys = [queue] + [f"{queue}{_PRIORITY_SEPARATOR}{step}" for step in _PRIORITY_STEPS]
            pipe = client.pipeline()
            for key in keys:
                pipe.llen(key)
            depths[queue] = int(sum(pipe.execute()))
        return depths
    finally:
        client.close()


def casework_figures(today: dt.date) -> dict[str, Any]:
    """Open cases by status, overdue inquiries and workflow backlogs: a few aggregate queries."""
    from viewflow.workflow.models import Task

    from casework.models import Case, Inquiry
    from casework.models.cases import CLOSED_STATUSES
    from casework.models.inquiries import InquiryStatus

    open_cases = dict(
        Case.objects.exclude(status__in=CLOSED_STATUSES)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    overdue_inquiries = Inquiry.objects.filter(
        due_date__lt=today,
        status__in=[InquiryStatus.SENT, InquiryStatus.OVERDUE, InquiryStatus.REMINDED],
    ).count()
    tasks = dict(
        Task.objects.filter(status__in=["NEW", "ASSIGNED", "STARTED", "ERROR"])
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    late_timers = Task.objects.filter(
        status="SCHEDULED", scheduled__lt=timezone.now() - dt.timedelta(minutes=5)
    ).count()
    from casework.models import OutboxMessage, OutboxState

    outbox = dict(
        OutboxMessage.objects.exclude(state=OutboxState.DONE)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return {
        "open_cases": open_cases,
        "overdue_inquiries": overdue_inquiries,
        "workflow_tasks": tasks,
        "late_timers": late_timers,
        "outbox": outbox,
    }


class DomainCollector:
    def collect(self) -> Iterator[Metric]:
        errors = GaugeMetricFamily(
            "lianluo_metrics_collection_errors",
            "Sources that failed this scrape",
            labels=["source"],
        )
        try:
            figures = casework_figures(timezone.localdate())
        except Exception:
            logger.exception("metrics: casework figures failed")
            errors.add_metric(["database"], 1)
        else:
            cases = GaugeMetricFamily(
                "lianluo_cases_open", "Open lost-contact cases by status", labels=["status"]
            )
            for status, count in sorted(figures["open_cases"].items()):
                cases.add_metric([status], count)
            yield cases
            yield GaugeMetricFamily(
                "lianluo_inquiries_overdue",
                "Inquiries sent, overdue or reminded whose due date has passed",
                value=figures["overdue_inquiries"],
            )
            tasks = GaugeMetricFamily(
                "lianluo_workflow_tasks", "Unfinished workflow tasks by status", labels=["status"]
            )
            for status, count in sorted(figures["workflow_tasks"].items()):
                tasks.add_metric([status], count)
            yield tasks
            yield GaugeMetricFamily(
                "lianluo_workflow_timers_late",
                "Workflow timers more than 5 minutes past their time (is beat running?)",
                value=figures["late_timers"],
            )
            outbox = GaugeMetricFamily(
                "lianluo_outbox_messages",
                "Outbox messages not yet acknowledged, by state (failed: needs a person)",
                labels=["state"],
            )
            for state in ("pending", "queued", "running", "failed"):
                outbox.add_metric([state], figures["outbox"].get(state, 0))
            yield outbox
        try:
            depths = queue_depths()
        except Exception:
            logger.exception("metrics: queue depth failed")
            errors.add_metric(["broker"], 1)
        else:
            queues = GaugeMetricFamily(
                "lianluo_celery_queue_length",
                "Messages waiting in a Celery queue",
                labels=["queue"],
            )
            for queue, depth in depths.items():
                queues.add_metric([queue], depth)
            yield queues
        yield errors


def _process_registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    from prometheus_client import REGISTRY

    return REGISTRY


def _authorised(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return True
    token = settings.LIANLUO_METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").encode(), token.encode())
    return False


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        return HttpResponse(status=405)
    if not _authorised(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    domain = CollectorRegistry(auto_describe=False)
    domain.register(DomainCollector())
    body = generate_latest(_process_registry()) + generate_latest(domain)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
