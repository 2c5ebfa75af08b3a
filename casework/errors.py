"""Domain errors: a message a case officer understands (Chinese in the UI) and a stable code."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise


class DomainError(Exception):
    """A refused action. `message` is user-facing (translated); `code` is stable for the API."""

    code = "invalid"
    http_status = 400

    def __init__(self, message: str | Promise, *, code: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code is not None:
            self.code = code


class NotFound(DomainError):
    """The object does not exist or is outside the user's scope (never say which)."""

    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):
    code = "forbidden"
    http_status = 403


class Conflict(DomainError):
    """An illegal transition or a concurrent change that lost the race."""

    code = "conflict"
    http_status = 409


class InvalidData(DomainError):
    """Input that fails validation; `errors` maps field names to Chinese messages (one, or a
    list of them)."""

    code = "invalid_data"

    def __init__(self, message: str | Promise, *, errors: Mapping[str, str | list[str]]) -> None:
        super().__init__(message)
        self.errors = errors
