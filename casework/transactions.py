"""Savepoints only where someone can roll back to them.

A service runs in `transaction.atomic()`; nested in a caller's transaction that costs a
SAVEPOINT and a RELEASE — two round trips — so that a caller may catch the service's error
and carry on. A caller that never does (a flow step: any error rolls back the whole step)
says so with `one_transaction()`; inside it, services enter `atomic()` without a savepoint.

Still safe if an error is caught anyway: Django then marks the transaction for rollback and
refuses every further query (TransactionManagementError) until an outer savepoint or the
transaction itself rolls back — nothing half-written can commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

_whole: ContextVar[bool] = ContextVar("one_transaction", default=False)


@contextmanager
def one_transaction() -> Iterator[None]:
    """Mark the enclosing atomic block as rolled back as a whole on any error."""
    token = _whole.set(True)
    try:
        yield
    finally:
        _whole.reset(token)


def atomic() -> transaction.Atomic:
    """`transaction.atomic()` for a service: without a savepoint inside `one_transaction()`."""
    return transaction.atomic(savepoint=not _whole.get())
