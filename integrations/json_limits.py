"""Limits every JSON body from outside must respect (the API's parser and the webhook).

- nesting deeper than MAX_DEPTH (or deep enough to exhaust the decoder) is refused, not a
  RecursionError;
- a NUL character in any key or string is refused: PostgreSQL cannot store it, and no field
  of ours needs it.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 32


class JsonRefused(ValueError):
    """`reason`: "depth" or "nul"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_json(data: Any, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise JsonRefused for nesting deeper than `max_depth` or a NUL in any string."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > max_depth:
                raise JsonRefused("depth")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and "\x00" in key:
                    raise JsonRefused("nul")
                stack.append((item, depth + 1))
        elif isinstance(value, str) and "\x00" in value:
            raise JsonRefused("nul")


def loads_checked(raw: bytes | str) -> Any:
    """json.loads, then check_json; ValueError (JsonRefused included) for anything refused."""
    try:
        data = json.loads(raw)
    except RecursionError:
        raise JsonRefused("depth") from None
    check_json(data)
    return data
