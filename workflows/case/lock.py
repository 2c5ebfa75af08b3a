"""The flow's lock on a process row: wait for it, never poison the caller's transaction.

viewflow's `select_for_update_lock` takes the row with NOWAIT and retries a few times inside
`transaction.atomic()`, catching the lock error *inside* the atomic block. Nested in a
service's transaction (the flow following a case changed outside it) that leaves the
transaction aborted ("current transaction is aborted …"), and under load (many completions
of one case's task at once) the retries run out and a legal action is refused as busy.

This lock takes the row in a savepoint that is rolled back if it fails — then FlowLockFailed
(the callers answer 409 "busy") with the caller's transaction intact. A flow path that starts
here (a task completed, claimed, released) waits for the row, up to LOCK_WAIT: it takes the
process row before the case row, so waiting is safe and concurrent completions queue instead
of being refused. Nested in a transaction that may already hold the case row (the flow
following a case changed by a service outside it), waiting could deadlock with a completion
holding the process row and waiting for that case row: there it does not wait (NOWAIT) and
fails at once. PostgreSQL keeps a row lock taken in a released savepoint until the
transaction ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError, connection, transaction
from viewflow.workflow.exceptions import FlowLockFailed

LOCK_WAIT = "15s"


@contextmanager
def process_row_lock(flow_class: Any, process_pk: Any) -> Iterator[None]:
    nested = connection.in_atomic_block
    with transaction.atomic():  # the lock and the body: one transaction (or savepoint)
        try:
            with transaction.atomic():  # a savepoint: rolled back alone if the wait fails
                _lock_row(flow_class, process_pk, wait=not nested)
        except DatabaseError as exc:  # lock timeout or deadlock
            raise FlowLockFailed(f"Lock failed for {flow_class}") from exc
        yield


def _lock_row(flow_class: Any, process_pk: Any, *, wait: bool) -> None:
    postgres = connection.vendor == "postgresql" and wait
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
    rows = flow_class.process_class._default_manager.filter(pk=process_pk)
    rows.select_for_update(nowait=not wait).exists()
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = DEFAULT")
