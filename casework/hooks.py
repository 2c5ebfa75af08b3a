"""Hooks the upper floors register with, so casework never imports them.

`cases_opened` holds callables taking a list of case ids. Casework runs them through
`transaction.on_commit` after it opens cases (e.g. the workflow layer starts a process for each
case). Register once, from an AppConfig.ready():

    from casework import hooks
    hooks.cases_opened.register(start_case_processes)
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator

from django.db import transaction

log = logging.getLogger(__name__)

CaseIdsHook = Callable[[list[int]], None]


class HookList:
    def __init__(self, name: str) -> None:
        self.name = name
        self._callables: list[CaseIdsHook] = []

    def register(self, func: CaseIdsHook) -> CaseIdsHook:
        """Add `func` (idempotent, usable as a decorator)."""
        if func not in self._callables:
            self._callables.append(func)
        return func

    def unregister(self, func: CaseIdsHook) -> None:
        if func in self._callables:
            self._callables.remove(func)

    def __iter__(self) -> Iterator[CaseIdsHook]:
        return iter(list(self._callables))

    def run_on_commit(self, ids: list[int]) -> None:
        """Schedule every registered callable with `ids` after the current transaction commits."""
        if not ids:
            return
        for func in self:
            transaction.on_commit(functools.partial(func, list(ids)))


cases_opened = HookList("cases_opened")
