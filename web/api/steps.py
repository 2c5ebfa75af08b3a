"""Completing a case-flow task through the API with the same form and the same step code as
the task pages (workflows/case/views.py): no second copy of any rule.

A step's payload is its form's fields as JSON. The payload is validated by that form (400
with field errors), then the step view's `apply()` runs the one casework service through
`workflows.services.task_complete` (lock, race check → 409, documents, next task).

The OpenAPI description of every step's payload is generated from the same forms.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.request import Request

from casework.errors import PermissionDenied
from workflows.models import TaskDue

STEP_FIELD = "step"


def step_nodes() -> list[Any]:
    """The human steps of the case flow (the nodes with a task view), in flow order."""
    from workflows.case.flows import CaseFlow

    return [node for node in CaseFlow.instance.nodes() if _view_class(node) is not None]


def _view_class(node: Any) -> Any:
    return getattr(getattr(node, "_view", None), "view_class", None)


# ---- the payload ------------------------------------------------------------------------


MULTIPLE_FIELDS = (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)
INTEGER_FIELDS = (forms.IntegerField, forms.ModelChoiceField)  # incl. ModelMultipleChoiceField
INT_LIMIT = 2**31  # a database integer column


def _out_of_range(value: Any) -> bool:
    try:
        return abs(int(str(value).strip())) >= INT_LIMIT
    except ValueError:
        return False


def _form_data(form_class: type[forms.Form], payload: dict[str, Any]) -> QueryDict:
    """JSON → the form-encoded data the task page would post: scalars as strings, lists
    only for multiple-choice fields; anything else is a field error."""
    data = QueryDict(mutable=True)
    errors: dict[str, list[str]] = {}
    fields = form_class.base_fields
    for name, value in payload.items():
        if name == STEP_FIELD or name not in fields or value is None:
            continue
        many = isinstance(fields[name], MULTIPLE_FIELDS)
        values = value if isinstance(value, list) and many else [value]
        if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values):
            errors[name] = [str(_("数据格式不正确。"))]
            continue
        if isinstance(fields[name], INTEGER_FIELDS) and any(_out_of_range(v) for v in values):
            errors[name] = [str(_("数值超出范围。"))]
            continue
        data.setlist(name, [str(v) for v in values])
    if errors:
        raise serializers.ValidationError(errors)
    return data


def complete_with_payload(*, request: Request, row: TaskDue, payload: Any) -> str:
    """Validate `payload` with the step's form and apply the step as `request.user`.
    Returns "completed", or "recorded" for a step action that keeps the task open."""
    if not isinstance(payload, dict):
        raise serializers.ValidationError({"non_field_errors": [str(_("请求体须为 JSON 对象。"))]})
    step = payload.get(STEP_FIELD)
    if step != row.node:
        raise serializers.ValidationError(
            {STEP_FIELD: [str(_("办理环节不符：该任务的环节是 %(step)s。") % {"step": row.node})]}
        )
    view_class = _view_class(row.task.flow_task)
    if view_class is None:  # a timer or a wait: nobody completes it by hand
        raise serializers.ValidationError({STEP_FIELD: [str(_("该环节不能手工办理。"))]})
    if row.owner_id is None and not row.task.flow_task.can_assign(request.user, row.task):
        raise PermissionDenied(_("您无权办理该任务。"))  # a reader: may see, may never claim
    view = view_class()
    view.setup(request, process_pk=row.process_id, task_pk=row.task_id)  # type: ignore[attr-defined]
    view.row, view.case = row, row.case
    kwargs = view.get_form_kwargs()
    kwargs.pop("files", None)
    kwargs["data"] = _form_data(view.form_class, payload)
    form = view.form_class(**kwargs)
    if not form.is_valid():
        raise serializers.ValidationError(
            {
                "non_field_errors" if key == "__all__" else key: [e["message"] for e in errs]
                for key, errs in form.errors.get_json_data().items()
            }
        )
    return str(view.apply(form.cleaned_data))


# ---- the OpenAPI description ------------------------------------------------------------


def _field_schema(field: forms.Field) -> dict[str, Any]:
    schema: dict[str, Any]
    if isinstance(field, forms.ModelMultipleChoiceField):
        schema = {"type": "array", "items": {"type": "integer"}}
    elif isinstance(field, forms.ModelChoiceField):
        schema = {"type": "integer"}
    elif isinstance(field, forms.MultipleChoiceField):
        schema = {"type": "array", "items": {"type": "string", "enum": _choices(field)}}
    elif isinstance(field, forms.ChoiceField):
        schema = {"type": "string", "enum": _choices(field)}
    elif isinstance(field, forms.IntegerField):
        schema = {"type": "integer"}
        if field.min_value is not None:
            schema["minimum"] = field.min_value
    elif isinstance(field, forms.DateField):
        schema = {"type": "string", "format": "date"}
    else:
        schema = {"type": "string"}
        if isinstance(field, forms.CharField) and field.max_length is not None:
            schema["maxLength"] = field.max_length
    if not field.required and schema["type"] != "array":
        schema["nullable"] = True
    schema["description"] = str(field.label or "")
    return schema


def _choices(field: forms.ChoiceField) -> list[str]:
    return [str(value) for value, _label in field.choices if value != ""]  # type: ignore[misc,union-attr]


def step_payload_schemas() -> dict[str, dict[str, Any]]:
    """{component name: schema} per human step, plus the `TaskPayload` oneOf over them."""
    components: dict[str, dict[str, Any]] = {}
    mapping: dict[str, str] = {}
    for node in step_nodes():
        form_class = _view_class(node).form_class
        name = "TaskPayload_" + node.name
        fields = form_class.base_fields
        title = str(getattr(node, "task_title", "") or node.name)
        components[name] = {
            "type": "object",
            "title": name,
            "description": " — ".join(filter(None, [title, form_class.__doc__])),
            "properties": {
                STEP_FIELD: {"type": "string", "enum": [node.name]},
                **{key: _field_schema(field) for key, field in fields.items()},
            },
            "required": [STEP_FIELD, *[k for k, f in fields.items() if f.required]],
        }
        mapping[node.name] = f"#/components/schemas/{name}"
    components["TaskPayload"] = {
        "description": (
            "The form of the task's step as JSON. `step` names the step (it must match the "
            "task's); the other fields are that step's form fields. Validation errors come "
            "back as 400 with `errors` per field."
        ),
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": STEP_FIELD, "mapping": mapping},
    }
    return components
