"""The id of the request (or task) being served: set by web's middleware per request and by
the outbox relay per delivered message; read by the audit trail and the log filter."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    """The current id, or "-" outside a request."""
    return request_id_var.get()


@contextmanager
def request_id_set(value: str) -> Iterator[None]:
    """Run a block with `value` as the current request id (nothing changes for "")."""
    if not value or value == "-":
        yield
        return
    token = request_id_var.set(value)
    try:
        yield
    finally:
        request_id_var.reset(token)
