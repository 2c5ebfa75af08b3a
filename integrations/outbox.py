"""The outbox relay: hands committed outbox rows to the broker, runs them in the worker, and
sweeps up whatever was not acknowledged.

A row's life (casework.models.outbox):

    pending ──publish──▶ queued ──worker claims (lease)──▶ running ──▶ done
       ▲                   │                                  │
       └── retry (backoff) ┴──── lease or republish time ─────┘──▶ failed (after the last try)

- `relay_after_commit(id)` runs after the cause's transaction commits (registered with
  casework.outbox): it publishes one Celery message `outbox_deliver(id)`. A broker that is
  down is logged, never raised into the request; the row stays pending.
- `outbox_sweep()` (Celery beat) publishes every open row whose `available_at` has passed:
  pending rows that are due (never published, or waiting to retry), queued rows no worker
  took, running rows whose lease ran out (the worker died: the claim returns to the queue).
- `deliver(id)` (in the worker) claims the row by compare-and-set with a lease, runs the
  handler registered for its kind and acknowledges it (done) only after the handler returned;
  a retry is scheduled with an ETA message for its due time (the sweep covers a lost one).
  A claim that finds the row done or leased to someone else does nothing, so duplicate
  messages are harmless; handlers are idempotent for the rare run after a lost lease.

One retry policy for every kind: LIANLUO_DELIVERY_MAX_RETRIES retries with exponential backoff
(LIANLUO_DELIVERY_BACKOFF_SECONDS, capped at LIANLUO_DELIVERY_BACKOFF_MAX_SECONDS); without a
broker (CELERY_TASK_ALWAYS_EAGER) the attempts run in-process, one after the other.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from casework.models import OUTBOX_OPEN_STATES, OutboxMessage, OutboxState
from casework.request_id import request_id_set

log = logging.getLogger(__name__)

# Publishing waits at most about this long for the broker before giving up (then: the sweep).
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}


@dataclass(frozen=True)
class Attempt:
    """Which attempt this is; on the `final` one a handler settles its work (e.g. failed)."""

    number: int
    final: bool
    message_id: int


class Retry(Exception):
    """A transient failure: try again after the backoff (counts as an attempt)."""


class Defer(Exception):
    """Not now, and not a failure (e.g. someone else holds the work): look again later."""

    def __init__(self, reason: str, *, seconds: float) -> None:
        super().__init__(reason)
        self.seconds = seconds


HandlerFunc = Callable[[dict[str, Any], Attempt], object]


@dataclass(frozen=True)
class Handler:
    func: HandlerFunc
    lease: dt.timedelta | None  # None: LIANLUO_OUTBOX_LEASE_SECONDS


_handlers: dict[str, Handler] = {}


def handler_register(kind: str, func: HandlerFunc, *, lease_seconds: int | None = None) -> None:
    """Register the handler for `kind` (once, from an AppConfig.ready())."""
    lease = dt.timedelta(seconds=lease_seconds) if lease_seconds is not None else None
    existing = _handlers.get(kind)
    if existing is not None and existing.func is not func:
        raise ValueError(f"outbox kind {kind!r} already has a handler")
    _handlers[kind] = Handler(func=func, lease=lease)


def registered_kinds() -> list[str]:
    return sorted(_handlers)


def _lease(handler: Handler | None) -> dt.timedelta:
    if handler is not None and handler.lease is not None:
        return handler.lease
    return dt.timedelta(seconds=settings.LIANLUO_OUTBOX_LEASE_SECONDS)


def max_attempts() -> int:
    return 1 + int(settings.LIANLUO_DELIVERY_MAX_RETRIES)


def backoff(attempts: int) -> dt.timedelta:
    base = settings.LIANLUO_DELIVERY_BACKOFF_SECONDS
    seconds = min(base * 2 ** max(attempts - 1, 0), settings.LIANLUO_DELIVERY_BACKOFF_MAX_SECONDS)
    return dt.timedelta(seconds=seconds)


def _due(now: dt.datetime) -> Q:
    return Q(state__in=OUTBOX_OPEN_STATES, available_at__lte=now)


# --- publishing ----------------------------------------------------------------------------


def publish(message_id: int) -> str:
    """Hand one due row to the broker: "published", "skipped" (not due: someone else has it)
    or "broker_down" (logged; the row is due again at once for the next sweep)."""
    from integrations.tasks import outbox_deliver

    now = timezone.now()
    kind = OutboxMessage.objects.filter(pk=message_id).values_list("kind", flat=True).first()
    if kind is None:
        return "skipped"
    until = now + _lease(_handlers.get(kind))
    moved = OutboxMessage.objects.filter(_due(now), pk=message_id).update(
        state=OutboxState.QUEUED, available_at=until, claim=None
    )
    if not moved:
        return "skipped"
    try:
        outbox_deliver.apply_async((message_id,), retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception as exc:
        OutboxMessage.objects.filter(
            pk=message_id, state=OutboxState.QUEUED, available_at=until
        ).update(state=OutboxState.PENDING, available_at=now, last_error=_error(exc))
        log.warning("outbox message %s (%s) not published: %s", message_id, kind, _error(exc))
        return "broker_down"
    return "published"


def relay_after_commit(message_id: int) -> None:
    """casework.outbox runs this after the cause's transaction committed."""
    publish(message_id)


@dataclass(frozen=True)
class SweepReport:
    due: int
    published: int
    broker_down: bool
    purged: int


def outbox_sweep(*, limit: int = 500) -> SweepReport:
    """Publish every open row that is due (oldest first); stop at the first broker failure.
    Also deletes acknowledged rows older than LIANLUO_OUTBOX_KEEP_DAYS."""
    now = timezone.now()
    ids = list(
        OutboxMessage.objects.filter(_due(now))
        .order_by("available_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    published = 0
    down = False
    for message_id in ids:
        outcome = publish(message_id)
        if outcome == "broker_down":
            down = True
            break
        published += outcome == "published"
    cutoff = now - dt.timedelta(days=settings.LIANLUO_OUTBOX_KEEP_DAYS)
    old = list(
        OutboxMessage.objects.filter(state=OutboxState.DONE, done_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:5000]
    )
    purged = OutboxMessage.objects.filter(pk__in=old).delete()[0] if old else 0
    if ids:
        log.info(
            "outbox sweep: %s due, %s published%s", len(ids), published, down * " (broker down)"
        )
    return SweepReport(due=len(ids), published=published, broker_down=down, purged=purged)


# --- delivering (in the worker) --------------------------------------------------------------


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def _claim(message_id: int) -> tuple[OutboxMessage, uuid.UUID] | None:
    message = OutboxMessage.objects.filter(pk=message_id).first()
    if message is None:
        return None
    now = timezone.now()
    token = uuid.uuid4()
    claimable = (
        Q(state=OutboxState.QUEUED)
        | Q(state=OutboxState.PENDING, available_at__lte=now)
        | Q(state=OutboxState.RUNNING, available_at__lte=now)
    )
    claimed = OutboxMessage.objects.filter(claimable, pk=message_id).update(
        state=OutboxState.RUNNING,
        claim=token,
        attempts=F("attempts") + 1,
        available_at=now + _lease(_handlers.get(message.kind)),
    )
    if not claimed:
        return None
    message.refresh_from_db()
    return message, token


def _settle(message: OutboxMessage, token: uuid.UUID, **fields: Any) -> bool:
    """Write the outcome of a claim, unless the lease was lost to someone else meanwhile."""
    fields.setdefault("claim", None)
    done = OutboxMessage.objects.filter(pk=message.pk, claim=token).update(**fields)
    if not done:
        log.info("outbox message %s: lease lost before the outcome was written", message.pk)
    return bool(done)


def deliver(message_id: int, *, eager: bool = False) -> str:
    """Claim and run one message; returns what became of it. Never raises a handler's error:
    the row records it and is retried (at once when `eager`, else after the backoff)."""
    while True:
        claimed = _claim(message_id)
        if claimed is None:
            return "skipped"
        message, token = claimed
        outcome = _run(message, token, eager=eager)
        if outcome == "retry" and eager:
            continue
        if outcome in ("retry", "deferred") and not eager:
            _publish_when_due(message_id)
        return outcome


def _publish_when_due(message_id: int) -> None:
    """Ask the broker to bring the message back when it is due (an ETA message); should that
    be lost (worker restart, broker down), the sweep publishes it then anyway."""
    from integrations.tasks import outbox_deliver

    due = OutboxMessage.objects.filter(pk=message_id).values_list("available_at", flat=True).first()
    if due is None:
        return
    try:
        outbox_deliver.apply_async(
            (message_id,),
            eta=due,
            retry=True,
            retry_policy=PUBLISH_RETRY_POLICY,
        )
    except Exception as exc:
        log.info("outbox message %s: no ETA message (%s); the sweep will", message_id, _error(exc))


def _run(message: OutboxMessage, token: uuid.UUID, *, eager: bool) -> str:
    now = timezone.now()
    handler = _handlers.get(message.kind)
    final = message.attempts >= max_attempts()
    attempt = Attempt(number=message.attempts, final=final, message_id=message.pk)
    try:
        if handler is None:
            raise LookupError(f"no handler registered for outbox kind {message.kind!r}")
        with request_id_set(message.request_id):
            handler.func(dict(message.payload), attempt)
    except Defer as exc:
        _settle(
            message,
            token,
            state=OutboxState.PENDING,
            attempts=F("attempts") - 1,
            available_at=now + dt.timedelta(seconds=exc.seconds),
            last_error=str(exc)[:500],
        )
        return "deferred"
    except Exception as exc:
        if final:
            log.error(
                "outbox message %s (%s) failed after %s attempts: %s",
                message.pk,
                message.kind,
                message.attempts,
                _error(exc),
                exc_info=not isinstance(exc, Retry),
            )
            _settle(message, token, state=OutboxState.FAILED, last_error=_error(exc))
            return "failed"
        log.warning(
            "outbox message %s (%s) attempt %s failed: %s",
            message.pk,
            message.kind,
            message.attempts,
            _error(exc),
            exc_info=not isinstance(exc, Retry),
        )
        wait = dt.timedelta(0) if eager else backoff(message.attempts)
        _settle(
            message,
            token,
            state=OutboxState.PENDING,
            available_at=now + wait,
            last_error=_error(exc),
        )
        return "retry"
    _settle(message, token, state=OutboxState.DONE, done_at=timezone.now(), last_error="")
    return "done"


__all__ = [
    "Attempt",
    "Defer",
    "Retry",
    "SweepReport",
    "deliver",
    "handler_register",
    "outbox_sweep",
    "publish",
    "relay_after_commit",
]
