"""Hooks the upper floors register with, so casework never imports them.

Every hook runs *inside* the transaction of the change that fires it, so whatever the upper
floor does commits or rolls back with the change. Work that leaves the process (starting a
process in a worker, sending a letter) is written there as an outbox message
(casework.outbox) and delivered after the commit.

- `cases_opened`: callables taking `(case_ids, actor)`, run when cases are opened (the
  workflow layer queues the start of one process per case).
- `case_changed`: callables taking `(case_ids, actor)`, run right after a case's status
  changed (the workflow layer cancels or re-routes the case's open tasks).
- `inquiries_signed`: callables taking `(inquiry_ids, actor)`, run inside the signing
  transaction (the integrations side numbers and queues the inquiry letters).
- `inquiries_settled`: callables taking `(case_ids, actor)`, run whenever an inquiry of those
  cases is answered or closed unanswered (the workflow layer queues the end of the case's
  wait for answers).

Register once, from an AppConfig.ready():

    from casework import hooks
    hooks.cases_opened.register(processes_start_enqueue)

A caller that takes care of its own changes (a flow step: the flow moves on from the step's
task once the step's service returned) wraps the service call in
`hooks.case_changed.handled_by_caller()`: inside it `run_now` only collects the ids.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

log = logging.getLogger(__name__)

Hook = Callable[..., None]


class HookList:
    def __init__(self, name: str) -> None:
        self.name = name
        self._callables: list[Hook] = []
        self._collected: ContextVar[list[int] | None] = ContextVar(f"hook_{name}", default=None)

    def register(self, func: Hook) -> Hook:
        """Add `func` (idempotent, usable as a decorator)."""
        if func not in self._callables:
            self._callables.append(func)
        return func

    def unregister(self, func: Hook) -> None:
        if func in self._callables:
            self._callables.remove(func)

    def __iter__(self) -> Iterator[Hook]:
        return iter(list(self._callables))

    def run_now(self, ids: list[int], actor: Any = None) -> None:
        """Run every registered callable with `(ids, actor)` inside the caller's transaction;
        an exception rolls the caller back. Inside `handled_by_caller()`, collect the ids."""
        if not ids:
            return
        collected = self._collected.get()
        if collected is not None:
            collected.extend(i for i in ids if i not in collected)
            return
        for func in self:
            func(list(ids), actor)

    @contextmanager
    def handled_by_caller(self) -> Iterator[list[int]]:
        """The caller takes care of the changes made inside the block: `run_now` collects the
        ids (yielded, in order, without duplicates) instead of running the callables."""
        collected: list[int] = []
        token = self._collected.set(collected)
        try:
            yield collected
        finally:
            self._collected.reset(token)


cases_opened = HookList("cases_opened")
case_changed = HookList("case_changed")
inquiries_signed = HookList("inquiries_signed")
inquiries_settled = HookList("inquiries_settled")
