"""OpenAPI: the problem-details component, the error responses every operation may give, and
the task payloads (generated from the task forms)."""

from __future__ import annotations

from typing import Any

from web.api.errors import PROBLEM_CONTENT_TYPE
from web.api.steps import step_payload_schemas

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status", "detail"],
}
_PUBLIC_STATUSES = ("400", "401", "404", "405", "406", "413", "415", "422", "429", "500")
_PRIVATE_STATUSES = ("403",)
# Reads that may answer 409: a document whose PDF is still being rendered.
_CONFLICTING_READS = {
    "/api/v1/documents/{id}/pdf/",
    "/api/v1/documents/{id}/preview/",
    "/api/v1/handovers/{id}/record/",
}
_DESCRIPTIONS = {
    "400": (
        'The request breaks this schema: a type (no "1" for an integer, no 1 for a string), '
        "a required field, a length, a pattern, an enum, an empty filter value; field errors "
        "in `errors`"
    ),
    "401": "Not authenticated, or the token is invalid or revoked",
    "403": "Authenticated but not allowed (e.g. read-only role)",
    "404": "Not found or outside the caller's scope",
    "405": "Method not allowed",
    "406": "Not acceptable",
    "409": "Illegal or concurrent state transition",
    "413": "Upload too large",
    "415": "Unsupported media type",
    "422": (
        "A well-formed request the rules refuse (a business refusal: a date out of order, a "
        "member outside the organisation, an id that names nothing usable); `code` says which "
        "rule, field errors in `errors` where there are any"
    ),
    "429": "Rate limited",
    "500": "Unexpected error (no details)",
}


def add_problem_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: declare the problem component and add error responses."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas.update(step_payload_schemas())
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            statuses = list(_PUBLIC_STATUSES)
            security = operation.get("security") or []
            if security and {} not in security:
                statuses += _PRIVATE_STATUSES
            if method != "get" or path in _CONFLICTING_READS:
                statuses.append("409")
            responses = operation.setdefault("responses", {})
            for code in statuses:
                responses.setdefault(
                    code,
                    {
                        "description": _DESCRIPTIONS[code],
                        "content": {PROBLEM_CONTENT_TYPE: {"schema": ref}},
                    },
                )
    return result
