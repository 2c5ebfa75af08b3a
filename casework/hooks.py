"""Hooks the upper floors register with, so casework never imports them.

- `cases_opened`: callables taking a list of case ids. Casework runs them through
  `transaction.on_commit` after it opens cases (the workflow layer starts a process for each).
- `case_changed`: callables taking `(case_ids, actor)`. Casework runs them *inside* the
  transaction of every case transition, right after the status changed, so whatever the upper
  floor does (the workflow layer cancels or re-routes the case's open tasks) commits or rolls
  back with the transition.
- `inquiries_signed`: callables taking `(inquiry_ids, actor)`, run inside the signing
  transaction (the integrations side numbers and queues the inquiry letters).
- `inquiries_settled`: callables taking a list of case ids, run after commit whenever an
  inquiry of those cases is answered or closed unanswered (the workflow layer ends the case's
  wait for answers when it is over).

Register once, from an AppConfig.ready():

    from casework import hooks
    hooks.cases_opened.register(start_case_processes)

A caller that takes care of its own changes (a flow step: the flow moves on from the step's
task once the step's service returned) wraps the service call in
`hooks.case_changed.handled_by_caller()`: inside it `run_now` only collects the ids.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction

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

    def run_on_commit(self, ids: list[int]) -> None:
        """Schedule every registered callable with `ids` after the current transaction commits."""
        if not ids:
            return
        for func in self:
            transaction.on_commit(functools.partial(func, list(ids)))

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
