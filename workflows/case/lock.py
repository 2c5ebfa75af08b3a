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

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import DatabaseError, connection, transaction
from viewflow.workflow.exceptions import FlowLockFailed

T = TypeVar("T")


@contextmanager
def _row_lock(take: Callable[[bool], T], failure: str) -> Iterator[T]:
    """The waiting rules of every lock here: `take(nowait)` runs the one SELECT … FOR UPDATE
    (waiting at the top, NOWAIT when nested) and its result is yielded; the body runs in the
    same atomic block. A lock error leaves the block before it becomes FlowLockFailed."""
    wait = not connection.in_atomic_block  # nested: we may hold the case row already
    locked = False
    try:
        with transaction.atomic():  # the lock and the body: one transaction (or savepoint)
            taken = take(not wait)
            locked = True
            yield taken
    except DatabaseError as exc:
        if locked:  # the body's own error
            raise
        # NOWAIT refused, or a deadlock: the atomic block was rolled back as it exited
        raise FlowLockFailed(failure) from exc


@contextmanager
def process_row_lock(flow_class: Any, process_pk: Any) -> Iterator[None]:
    rows = flow_class.process_class._default_manager.filter(pk=process_pk)
    with _row_lock(
        lambda nowait: rows.select_for_update(nowait=nowait).exists(),
        f"Lock failed for {flow_class}",
    ):
        yield


@contextmanager
def task_process_lock(flow_class: Any, task_id: int) -> Iterator[None]:
    """`process_row_lock` on the process of a task, found from the task inside the locking
    statement (no separate read of its process id first). Locks nothing when there is no such
    task: the caller's read of the task under it then finds none. Same waiting rules. A
    `lock_impl` keyed by the task: run it in viewflow's `lock_scope` (workflows.services.queue)."""
    from viewflow.workflow.models import Task

    from workflows.models import CaseProcess

    process_id = Task.objects.filter(pk=task_id).values("process_id")
    rows = CaseProcess.objects.filter(pk__in=process_id)
    failure = f"Lock failed for {flow_class}, task {task_id}"
    with _row_lock(lambda nowait: rows.select_for_update(nowait=nowait).exists(), failure):
        yield


@contextmanager
def process_and_case_lock(task_id: int, process_pk: int) -> Iterator[Any]:
    """`process_row_lock` for a task's completion, with the task, its process and its case
    read and locked in the same statement (one SELECT … FOR UPDATE of the task, process and
    case rows, member and organisation joined): yields the task (process → caseprocess →
    case loaded), or None when the task is not the process's. Same waiting rules as
    `process_row_lock` (waits at the top, NOWAIT when nested). Locking the task and process
    rows too makes PostgreSQL re-read them once a waited-for lock is granted (so a completion
    that queued behind another sees the task it finished)."""
    from viewflow.workflow.models import Task

    def take(nowait: bool) -> Any:
        rows = (
            Task.objects.select_related(
                "process__caseprocess__case__member",
                # the branch's issuer profile: its documents' numbers and print facts
                "process__caseprocess__case__organisation__issuer_profile",
            )
            .filter(pk=task_id, process__caseprocess__pk=process_pk)
            .select_for_update(
                nowait=nowait,
                # PostgreSQL takes the row locks in this order (its FOR UPDATE OF list):
                # the process row first, as every path does, the case row last.
                of=(
                    "process__caseprocess",
                    "process",
                    "self",
                    "process__caseprocess__case",
                ),
            )
            .order_by()
        )
        return next(iter(rows), None)

    with _row_lock(take, f"Lock failed for task {task_id}") as task:
        yield task
