"""Carry the request id from the web request into the Celery tasks it enqueues.

On publish the current request id goes into a message header; in the worker it is restored
into the same context variable before the task runs (so logs and audit events carry it) and
cleared afterwards. Tasks run in-process (no broker) already share the caller's context.
"""

from __future__ import annotations

import contextvars
from typing import Any

from celery import signals

from casework.request_id import request_id_var

HEADER = "lianluo_request_id"
_tokens: dict[str, contextvars.Token[str]] = {}


def add_request_id_header(headers: dict[str, Any] | None = None, **_: Any) -> None:
    if headers is None:
        return
    request_id = request_id_var.get()
    if request_id != "-" and HEADER not in headers:
        headers[HEADER] = request_id


def restore_request_id(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    request_id = getattr(getattr(task, "request", None), HEADER, None)
    if task_id and isinstance(request_id, str) and request_id:
        _tokens[task_id] = request_id_var.set(request_id)


def clear_request_id(task_id: str | None = None, **_: Any) -> None:
    token = _tokens.pop(task_id or "", None)
    if token is not None:
        request_id_var.reset(token)


def connect() -> None:
    signals.before_task_publish.connect(add_request_id_header, weak=False)
    signals.task_prerun.connect(restore_request_id, weak=False)
    signals.task_postrun.connect(clear_request_id, weak=False)
