"""Writing to the transactional outbox.

Work that leaves the process — a Celery task, an email, an HTTP call, an SMS — is never done
inside a transaction and never dispatched directly: the service that causes it calls
`outbox_enqueue(kind, payload)` in its own transaction, so the row commits or rolls back with
the change. After the commit a relay tries to deliver the row at once; a periodic sweep
delivers whatever is still not acknowledged (broker down, worker killed, handler failed).

Casework is the lowest floor: it only writes rows. The relay, the sweep and the handler for
each `kind` live above it (integrations and workflows register them at start-up); casework
learns about the relay through `relay_register`, so it never imports those floors.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction

from casework.models import OutboxMessage
from casework.request_id import current_request_id

log = logging.getLogger(__name__)

Relay = Callable[[int], object]
_relays: list[Relay] = []


def relay_register(relay: Relay) -> None:
    """Called once by the floor that delivers messages: `relay(message_id)` runs after commit."""
    if relay not in _relays:
        _relays.append(relay)


def _check_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Ids, short codes and lists of ids only: personal data never travels in a message."""
    for key, value in payload.items():
        if isinstance(value, bool) or value is None or isinstance(value, int):
            continue
        if isinstance(value, str) and len(value) <= 64:
            continue
        if isinstance(value, list) and all(
            isinstance(item, int) and not isinstance(item, bool) for item in value
        ):
            continue
        raise TypeError(f"outbox payload {key!r}: only ids, short codes and lists of ids")
    return dict(payload)


def outbox_enqueue(kind: str, payload: Mapping[str, Any]) -> OutboxMessage:
    """Write one message in the caller's transaction; it is relayed after the commit.

    Outside a transaction (autocommit) the row is written and relayed at once.
    """
    request_id = current_request_id()
    message = OutboxMessage.objects.create(
        kind=kind,
        payload=_check_payload(payload),
        request_id="" if request_id == "-" else request_id[:64],
    )
    message_id = message.pk
    transaction.on_commit(lambda: _relay_now(message_id), robust=True)
    return message


def _relay_now(message_id: int) -> None:
    """After commit: hand the message to the relay. Never raises into the request: a failure
    is logged and the row waits for the sweep."""
    for relay in list(_relays):
        try:
            relay(message_id)
        except Exception:
            log.exception("outbox message %s: relay failed; the sweep will retry it", message_id)


__all__ = ["outbox_enqueue", "relay_register"]
