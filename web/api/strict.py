"""The API does what its schema says: every request is checked against the operation's OpenAPI
description (the one /api/schema/ serves) before the view runs, and a request the schema
forbids is a 400 problem with field errors, never accepted and never a 422.

- JSON bodies: strict types (no "1" for an integer, no 1 for a string, no 0 for a boolean),
  required fields, lengths, enums, decimal patterns, `\\S` for required strings (whitespace
  alone is empty), the task payload picked by its `step` discriminator.
- Query parameters: integers, booleans (`true`/`false`), enums, lengths, patterns (an empty
  filter value is not a value: 400).

The schema itself is tightened by `tighten_schema` (a drf-spectacular postprocessing hook), so
the rules enforced here are the rules published. The check runs as a permission class (after
authentication: an anonymous request still gets its 401).
"""

from __future__ import annotations

import datetime
import json
import re
from functools import cache
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError as SchemaError
from rest_framework import permissions, serializers
from rest_framework.request import Request

# A required string holds something besides whitespace: what Python's str.strip() removes
# (DRF and Django forms trim with it), spelled out so that every regex engine agrees (\S
# differs: ECMA's does not count \x1c-\x1f or \x85 as space).
NOT_BLANK = (
    r"[^\t\n\u000b\u000c\r\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a"
    r"\u2028\u2029\u202f\u205f\u3000]"
)
CURSOR_PATTERN = r"^[A-Za-z0-9+/]+={0,2}$"  # DRF's cursor: base64 of a query string
JSON_TYPES = ("application/json", "application/problem+json")
BODY_METHODS = {"post", "put", "patch"}

MESSAGES: dict[str, Any] = {
    "type": _("数据类型不正确。"),
    "required": _("该字段是必填项。"),
    "blank": _("不能为空白。"),
    "pattern": _("格式不正确。"),
    "minLength": _("不能为空。"),
    "maxLength": _("内容过长。"),
    "enum": _("不是有效的选项。"),
    "range": _("数值超出范围。"),
    "items": _("列表项数不符合要求。"),
    "uniqueItems": _("列表中有重复项。"),
    "other": _("数据格式不正确。"),
}
RANGE = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
CHOICE = {"enum", "oneOf", "anyOf", "const"}


# ---- the schema as the server publishes it, tightened -----------------------------------


def _decimal_pattern(pattern: str) -> str:
    """drf-spectacular's decimal pattern `^-?\\d{0,8}(?:\\.\\d{0,2})?$` also matches "" and
    "-": at least one digit before the point."""
    match = re.fullmatch(r"\^-\?\\d\{0,(\d+)\}\(\?:\\\.\\d\{0,(\d+)\}\)\?\$", pattern)
    if not match:
        return pattern
    whole, places = match.groups()
    return rf"^-?\d{{1,{whole}}}(?:\.\d{{1,{places}}})?$"


def _tighten_property(schema: dict[str, Any]) -> None:
    if schema.get("type") != "string":
        return
    if schema.get("format") == "decimal" and "pattern" in schema:
        schema["pattern"] = _decimal_pattern(schema["pattern"])
    elif schema.get("minLength", 0) >= 1 and not {"enum", "format", "pattern"} & set(schema):
        schema["pattern"] = NOT_BLANK


def tighten_schema(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: request bodies' required strings carry `\\S`, decimals a pattern
    that needs a digit, query strings at least one character, the cursor its alphabet."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request") and not name.startswith("TaskPayload"):
            continue
        for prop in (component.get("properties") or {}).values():
            _tighten_property(prop)
            if prop.get("type") == "array" and isinstance(prop.get("items"), dict):
                _tighten_property(prop["items"])
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") != "query" or schema.get("type") != "string":
                    continue
                if parameter["name"] == "cursor":
                    schema["pattern"] = CURSOR_PATTERN
                schema.setdefault("minLength", 1)
                _tighten_property(schema)  # ?q=%0B is as empty as ?q=
    return result


# ---- OpenAPI 3.0 → JSON Schema (draft 4) -------------------------------------------------


OPENAPI_ONLY = {"nullable", "discriminator", "readOnly", "writeOnly", "example"}


def _json_schema(node: Any) -> Any:
    """`nullable` becomes a null type (and a None choice), oneOf anyOf; OpenAPI-only keywords
    go. Formats: only date and date-time are checked (FORMATS); DRF checks the others."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in {"properties", "schemas"} and isinstance(value, dict):
            out[key] = {name: _json_schema(item) for name, item in value.items()}
        elif key == "oneOf":  # drf-spectacular's alternatives ("" or an email) may overlap
            out["anyOf"] = _json_schema(value)
        elif key not in OPENAPI_ONLY:
            out[key] = _json_schema(value)
    if node.get("nullable"):
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [{"type": "null"}, out]}
    return out


FORMATS = FormatChecker(formats=())


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    """YYYY-MM-DD, a real day (DRF's DateField input)."""
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return False
    datetime.date.fromisoformat(value)
    return True


@FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    """ISO 8601 as Django's parse_datetime reads it."""
    if not isinstance(value, str):
        return True
    return parse_datetime(value) is not None


@FORMATS.checks("email")
def _is_email(value: object) -> bool:
    """The shape only (DRF's validator decides the rest: 422)."""
    return (
        not isinstance(value, str) or value == "" or bool(re.fullmatch(r"[^@\s]+@[^@\s]+", value))
    )


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    """A scheme and no whitespace (DRF's validator decides the rest: 422)."""
    if not isinstance(value, str) or value == "":
        return True
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:\S+", value))


def _deref(components: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return dict(components["schemas"][ref.rsplit("/", 1)[1]])
    return schema


class Operation:
    """One operation's checks: its query parameters' schemas and its JSON body's schema."""

    def __init__(self, operation: dict[str, Any], raw: dict[str, Any], converted: Any) -> None:
        self.components = converted
        self.query: dict[str, dict[str, Any]] = {
            p["name"]: _json_schema(p.get("schema", {}))
            for p in operation.get("parameters", [])
            if p.get("in") == "query"
        }
        content = (operation.get("requestBody") or {}).get("content", {})
        body = content.get("application/json", {}).get("schema")
        self.body: dict[str, Any] | None = body
        form = content.get("multipart/form-data", {}).get("schema")
        self.form: dict[str, Any] | None = _deref(raw, form) if form else None
        self.discriminator: tuple[str, dict[str, str]] | None = None
        target = _deref(raw, body) if body else None
        if target and "discriminator" in target:
            disc = target["discriminator"]
            self.discriminator = (disc["propertyName"], disc.get("mapping", {}))
        self._validators: dict[str, Draft4Validator] = {}

    def validator(self, schema: dict[str, Any]) -> Draft4Validator:
        key = json.dumps(schema, sort_keys=True)
        cached = self._validators.get(key)
        if cached is None:
            cached = Draft4Validator(
                {**_json_schema(schema), "components": self.components},
                format_checker=FORMATS,
            )
            self._validators[key] = cached
        return cached

    def body_schema(self, data: Any) -> dict[str, Any] | None:
        """The body's schema; a oneOf with a discriminator resolved to the named branch."""
        if self.body is None:
            return None
        if self.discriminator and isinstance(data, dict):
            name, mapping = self.discriminator
            value = data.get(name)
            ref = mapping.get(value) if isinstance(value, str) else None
            if ref is None:
                raise serializers.ValidationError({name: [str(MESSAGES["enum"])]})
            return {"$ref": ref}
        return self.body


@cache
def _operations() -> list[tuple[re.Pattern[str], str, Operation]]:
    from drf_spectacular.generators import SchemaGenerator

    spec = SchemaGenerator().get_schema(request=None, public=True)
    raw = spec.get("components", {})
    converted = _json_schema(raw)
    found = []
    # literal paths first: /tasks/inbox/ is not /tasks/{task_id}/
    paths = sorted(spec.get("paths", {}).items(), key=lambda item: item[0].count("{"))
    for path, operations in paths:
        regex = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        for method, operation in operations.items():
            if isinstance(operation, dict):
                found.append((regex, method, Operation(operation, raw, converted)))
    return found


def operation_for(path: str, method: str) -> Operation | None:
    method = method.lower()
    for regex, verb, operation in _operations():
        if verb == method and regex.match(path):
            return operation
    return None


# ---- the check --------------------------------------------------------------------------


def _message(error: SchemaError) -> str:
    kind = str(error.validator)
    if kind == "pattern":
        return str(MESSAGES["blank" if error.validator_value == NOT_BLANK else "pattern"])
    if kind in RANGE:
        return str(MESSAGES["range"])
    if kind in CHOICE:
        return str(MESSAGES["enum"])
    if kind == "format":
        return str(MESSAGES["pattern"])
    if kind in {"minItems", "maxItems"}:
        return str(MESSAGES["items"])
    return str(MESSAGES.get(kind, MESSAGES["other"]))


def _field_errors(errors: list[SchemaError], prefix: str = "") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for error in errors:
        parts = [prefix] if prefix else []
        parts += [str(part) for part in error.absolute_path]
        if error.validator == "required" and isinstance(error.instance, dict):
            for name in error.validator_value:
                if name not in error.instance:
                    key = ".".join([*parts, str(name)])
                    out.setdefault(key, []).append(str(MESSAGES["required"]))
            continue
        key = ".".join(parts) or "non_field_errors"
        message = _message(error)
        if message not in out.get(key, []):
            out.setdefault(key, []).append(message)
    return out


def _query_value(raw: str, schema: dict[str, Any]) -> Any:
    """A query string value typed as its schema says; None when it cannot be."""
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "integer":
        return int(raw) if re.fullmatch(r"-?[0-9]{1,18}", raw) else None
    if kind == "number":
        return float(raw) if re.fullmatch(r"-?[0-9]{1,18}(\.[0-9]{1,18})?", raw) else None
    if kind == "boolean":
        return {"true": True, "false": False}.get(raw)
    return raw


def check_request(request: Request, view: Any) -> None:
    """400 (DRF ValidationError, code `invalid`) when the request breaks its operation's
    schema; nothing when it conforms or no operation describes it."""
    operation = operation_for(request.path_info, request.method or "")
    if operation is None:
        return
    errors: dict[str, list[str]] = {}
    for name, schema in operation.query.items():
        values = request.query_params.getlist(name)
        if not values:
            continue
        value = _query_value(values[-1], schema)
        if value is None:
            errors[name] = [str(MESSAGES["type"])]
            continue
        found = list(operation.validator(schema).iter_errors(value))
        if found:
            errors[name] = [_message(found[0])]
    if errors:
        raise serializers.ValidationError(errors)
    if (request.method or "").lower() not in BODY_METHODS:
        return
    media_type = (request.content_type or "").split(";")[0].strip()
    if media_type == "multipart/form-data" and operation.form is not None:
        _check_form(request, operation, operation.form)
        return
    if media_type not in JSON_TYPES or operation.body is None:
        return
    data = request.data
    body = operation.body_schema(data)
    if body is None:
        return
    found = sorted(operation.validator(body).iter_errors(data), key=lambda e: e.path)
    if found:
        raise serializers.ValidationError(_field_errors(found))


def _check_form(request: Request, operation: Operation, schema: dict[str, Any]) -> None:
    """A multipart form: its fields typed as the schema says (as query values), files
    present where required."""
    instance: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, prop in (schema.get("properties") or {}).items():
        if prop.get("format") == "binary":
            if name in request.FILES:
                instance[name] = ""
            continue
        if name in request.data:
            value = _query_value(str(request.data.get(name)), prop)
            if value is None:
                errors[name] = [str(MESSAGES["type"])]
            else:
                instance[name] = value
    errors.update(_field_errors(list(operation.validator(schema).iter_errors(instance))))
    if errors:
        raise serializers.ValidationError(errors)


class ConformsToSchema(permissions.BasePermission):
    """Not a permission: the schema check, run where DRF runs permissions (after
    authentication, before the view). Raises the 400; never refuses by itself."""

    def has_permission(self, request: Request, view: Any) -> bool:
        check_request(request, view)
        return True
