"""Completing a case-flow task through the API: the step's form as JSON, the same path as the
task page (`workflows.services.task_complete_with_data`): no second copy of any rule.

A step's payload is its form's fields as JSON, checked first against the step's declared
schema (`TaskPayload_<step>`, web.api.strict: a payload the schema forbids is a 400 per
field). A well-formed payload for another step than the task's is refused (422). The JSON is
turned into the data the task page would post, validated by the step's form (what the rules
refuse: 422 `invalid_data` with field errors) and the step done by `task_complete` (lock, race
check → 409, the step's one casework service, documents, next task).

The OpenAPI description of every step's payload is generated from the same forms.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from web.api.errors import REFUSED
from workflows.case.steps import STEPS, step_named
from workflows.models import TaskDue
from workflows.services import StepDone, task_complete_with_data

STEP_FIELD = "step"


# ---- the payload ------------------------------------------------------------------------


MULTIPLE_FIELDS = (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)
INTEGER_FIELDS = (forms.IntegerField, forms.ModelChoiceField)  # incl. ModelMultipleChoiceField
INT_LIMIT = 2**31  # a database integer column
DATABASE_ID = {"type": "integer", "minimum": 1, "maximum": INT_LIMIT - 1}


def _out_of_range(value: Any) -> bool:
    try:
        return abs(int(str(value).strip())) >= INT_LIMIT
    except ValueError:
        return False


def _form_data(form_class: type[forms.Form], payload: dict[str, Any]) -> dict[str, Any]:
    """JSON → the data the task page would post: scalars as strings, lists only for
    multiple-choice fields; anything else is a field error."""
    data: dict[str, Any] = {}
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
        strings = [str(v) for v in values]
        data[name] = strings if many else strings[0]
    if errors:
        raise serializers.ValidationError(errors)
    return data


def complete_with_payload(*, user: AbstractBaseUser, row: TaskDue, payload: Any) -> StepDone:
    """Check the payload names the task's step, turn its JSON into form data and complete the
    task as `user` (the one path: task_complete_with_data)."""
    if not isinstance(payload, dict):
        raise serializers.ValidationError({"non_field_errors": [str(_("请求体须为 JSON 对象。"))]})
    if payload.get(STEP_FIELD) != row.node:
        raise serializers.ValidationError(
            {STEP_FIELD: [str(_("办理环节不符：该任务的环节是 %(step)s。") % {"step": row.node})]},
            code=REFUSED,
        )
    step = step_named(row.node)
    if step is None:  # a timer or a wait: nobody completes it by hand
        raise serializers.ValidationError(
            {STEP_FIELD: [str(_("该环节不能手工办理。"))]}, code=REFUSED
        )
    data = _form_data(step.form, payload)
    # the form's field errors (InvalidData) are what the rules refuse: 422 `invalid_data`
    return task_complete_with_data(task_id=row.task_id, user=user, data=data)


# ---- the OpenAPI description ------------------------------------------------------------


def _field_schema(field: forms.Field) -> dict[str, Any]:
    schema: dict[str, Any]
    if isinstance(field, forms.ModelMultipleChoiceField):
        schema = {"type": "array", "items": DATABASE_ID}
        if field.required:
            schema["minItems"] = 1
    elif isinstance(field, forms.ModelChoiceField):
        schema = dict(DATABASE_ID)
    elif isinstance(field, forms.MultipleChoiceField):
        schema = {"type": "array", "items": {"type": "string", "enum": _choices(field)}}
        if field.required:
            schema["minItems"] = 1
    elif isinstance(field, forms.ChoiceField):  # "" is "not given" where that is allowed
        schema = {"type": "string", "enum": ([] if field.required else [""]) + _choices(field)}
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
        if field.required:  # the form strips: whitespace alone is empty (web.api.strict)
            schema["minLength"] = 1
    if not field.required and schema["type"] != "array":
        schema["nullable"] = True
        if "enum" in schema:  # OpenAPI 3.0: a nullable enum lists null among its values
            schema["enum"] = [*schema["enum"], None]
    schema["description"] = str(field.label or "")
    return schema


def _choices(field: forms.ChoiceField) -> list[str]:
    return [str(value) for value, _label in field.choices if value != ""]  # type: ignore[misc,union-attr]


def step_payload_schemas() -> dict[str, dict[str, Any]]:
    """{component name: schema} per human step, plus the `TaskPayload` oneOf over them."""
    components: dict[str, dict[str, Any]] = {}
    mapping: dict[str, str] = {}
    for step in STEPS:
        form_class = step.form
        name = "TaskPayload_" + step.name
        fields = form_class.base_fields
        title = str(step.title)
        components[name] = {
            "type": "object",
            "title": name,
            "description": " — ".join(filter(None, [title, form_class.__doc__])),
            "properties": {
                STEP_FIELD: {"type": "string", "enum": [step.name]},
                **{key: _field_schema(field) for key, field in fields.items()},
            },
            "required": [STEP_FIELD, *[k for k, f in fields.items() if f.required]],
        }
        mapping[step.name] = f"#/components/schemas/{name}"
    components["TaskPayload"] = {
        "description": (
            "The form of the task's step as JSON. `step` names the step (it must match the "
            "task's, else 422); the other fields are that step's form fields. A payload the "
            "schema forbids is a 400 with `errors` per field; one the step's rules refuse "
            "is a 422 (`invalid_data`) with `errors` per field."
        ),
        "oneOf": [{"$ref": ref} for ref in mapping.values()],
        "discriminator": {"propertyName": STEP_FIELD, "mapping": mapping},
    }
    return components


# ---- the form a task offers (GET /tasks/{id}/form/) --------------------------------------


def _field_type(field: forms.Field) -> str:
    if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
        return "multiple_choice"
    if isinstance(field, forms.ModelChoiceField | forms.ChoiceField):
        return "choice"
    if isinstance(field, forms.IntegerField):
        return "integer"
    if isinstance(field, forms.DateField):
        return "date"
    if isinstance(field, forms.BooleanField):
        return "boolean"
    return "string"


def _model_choice(field: forms.ModelChoiceField, obj: Any) -> dict[str, Any]:
    """A model choice as the API shows it: its id as `value`, a display label, and for people
    what they are (a member's category; a department's kind)."""
    from casework.models import Department, Member

    if isinstance(obj, Member):
        return {
            "value": obj.pk,
            "label": obj.name,
            "role": obj.membership_type,
            "role_label": str(obj.get_membership_type_display()),
        }
    if isinstance(obj, Department):
        return {
            "value": obj.pk,
            "label": obj.name,
            "role": obj.kind,
            "role_label": str(obj.get_kind_display()),
        }
    return {"value": obj.pk, "label": str(field.label_from_instance(obj))}


def _offered(field: forms.Field) -> list[dict[str, Any]] | None:
    if isinstance(field, forms.ModelChoiceField):
        return [_model_choice(field, obj) for obj in field.queryset]  # type: ignore[union-attr]
    if isinstance(field, forms.ChoiceField):
        choices: Any = field.choices
        return [
            {"value": str(value), "label": str(label)} for value, label in choices if value != ""
        ]
    return None


def step_form_description(*, row: TaskDue, user: AbstractBaseUser) -> dict[str, Any]:
    """The step form of the task for this case and user, as the task page would render it:
    every field with its type, limits and the values it accepts (departments of the case's
    tree, the members eligible to talk, the clues to assess …). A timer or a wait has no form."""
    step = step_named(row.node)
    if step is None:
        raise serializers.ValidationError(
            {STEP_FIELD: [str(_("该环节不能手工办理。"))]}, code=REFUSED
        )
    form = step.form_for(case=row.case, user=user)
    fields = []
    for name, field in form.fields.items():
        described: dict[str, Any] = {
            "name": name,
            "type": _field_type(field),
            "label": str(field.label or name),
            "required": bool(field.required),
            "help_text": str(field.help_text or ""),
        }
        initial = form.get_initial_for_field(field, name)
        if isinstance(initial, str | int) and not isinstance(initial, bool):
            described["initial"] = initial
        elif hasattr(initial, "isoformat"):
            described["initial"] = initial.isoformat()
        for limit in ("max_length", "min_length", "min_value", "max_value"):
            value = getattr(field, limit, None)
            if value is not None:
                described[limit] = value
        choices = _offered(field)
        if choices is not None:
            described["choices"] = choices
        fields.append(described)
    return {
        "task_id": row.task_id,
        "step": step.name,
        "title": str(step.title),
        "description": str(step.form.__doc__ or "").strip(),
        "fields": fields,
    }
