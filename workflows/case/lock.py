"""The flow's lock on a process row: never poison the caller's transaction.

viewflow's `select_for_update_lock` takes the row with NOWAIT and retries a few times inside
`transaction.atomic()`, catching the lock error *inside* the atomic block. Nested in a
service's transaction (the flow following a case changed outside it) that leaves the
transaction aborted ("current transaction is aborted …": a 500 instead of a 409).

This lock lets the failure leave its atomic block before catching it (the block — a
savepoint when nested — is rolled back on the way out), then raises FlowLockFailed (the
callers answer 409 "busy") with the caller's transaction intact. A flow path that starts here
(a task completed, claimed, released) waits for the row: every such path takes the process
row before the case row, so waiting is safe and concurrent completions queue instead of being
refused (PostgreSQL breaks a deadlock, which also ends as FlowLockFailed). Nested in a
transaction that may already hold the case row (a service's hook), waiting could deadlock with
a completion holding the process row and waiting for that case row: there it does not wait
(NOWAIT). Same statements as viewflow's lock: one atomic block, one SELECT … FOR UPDATE.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError, connection, transaction
from viewflow.workflow.exceptions import FlowLockFailed


@contextmanager
def process_row_lock(flow_class: Any, process_pk: Any) -> Iterator[None]:
    wait = not connection.in_atomic_block  # nested: we may hold the case row already
    locked = False
    try:
        with transaction.atomic():  # the lock and the body: one transaction (or savepoint)
            rows = flow_class.process_class._default_manager.filter(pk=process_pk)
            rows.select_for_update(nowait=not wait).exists()
            locked = True
            yield
    except DatabaseError as exc:
        if locked:  # the body's own error
            raise
        # NOWAIT refused, or a deadlock: the atomic block was rolled back as it exited
        raise FlowLockFailed(f"Lock failed for {flow_class}") from exc
