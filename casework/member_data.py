"""Cleaning member data (forms, services, imports share these rules) and masking it for history.

`clean_member_fields` takes Python values (dates as dates) keyed by model field name and
returns the normalised values, the errors per field (Chinese) and non-blocking warnings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from casework.models import Gender, MembershipType, MemberStatus
from casework.validation import (
    id_birth_date,
    id_gender,
    mask_address,
    mask_id_number,
    mask_phone,
    validate_id_number,
    validate_phone,
)

# Fields a member edit (form, import) may change. Organisation moves are transfers.
EDITABLE_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "occupation",
    "employer",
    "phone",
    "phone_alt",
    "residence",
    "membership_type",
    "join_date",
    "status",
    "last_org_life_date",
    "dues_paid_until",
    "is_mobile",
    "mobile_certificate_no",
    "is_abroad",
    "file_location",
    "key_groups",
    "contact_officer",
)
# Encrypted at rest, masked on screen and in history; shown only through an audited reveal.
PERSONAL_FIELDS = ("id_number", "phone", "phone_alt", "residence")
REVEALABLE_FIELDS = (*PERSONAL_FIELDS, "relatives")

_TEXT_LIMITS = {
    "name": 50,
    "ethnicity": 20,
    "occupation": 100,
    "employer": 200,
    "residence": 500,
    "mobile_certificate_no": 40,
    "file_location": 200,
}
_DATE_FIELDS = ("birth_date", "join_date", "last_org_life_date", "dues_paid_until")
_BOOL_FIELDS = ("is_mobile", "is_abroad")
ALL_KEY_GROUPS = 127
# Django's `.values` builds a list on every access: a third of an import's validation.
_GENDER_VALUES = tuple(Gender.values)
_TYPE_VALUES = tuple(MembershipType.values)
_STATUS_VALUES = tuple(MemberStatus.values)


@dataclass
class Cleaned:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def mask_value(name: str, value: Any) -> Any:
    """The form of a value that may appear in history, audit events and on screen."""
    if value in (None, ""):
        return value
    if name == "id_number":
        return mask_id_number(str(value))
    if name in ("phone", "phone_alt"):
        return mask_phone(str(value))
    if name in ("residence", "address"):
        return mask_address(str(value))
    if name == "contact_officer":
        return getattr(value, "pk", value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def gender_warning(id_number: str, gender: str) -> str | None:
    if len(id_number) == 18 and gender in Gender.values and id_gender(id_number) != gender:
        return _("性别与公民身份号码不一致，请核对。")
    return None


def clean_member_fields(data: dict[str, Any], *, today: dt.date | None = None) -> Cleaned:
    """Validate and normalise the given fields; unknown fields are errors."""
    out = Cleaned()
    today = today or dt.date.today()
    for name, raw in data.items():
        if name not in EDITABLE_FIELDS:
            out.errors[name] = _("该字段不能修改。")
            continue
        value = raw.strip() if isinstance(raw, str) else raw
        try:
            out.values[name] = _clean_one(name, value, today)
        except ValidationError as exc:
            out.errors[name] = str(exc.messages[0])
    number = out.values.get("id_number")
    birth = out.values.get("birth_date")
    if number and birth and id_birth_date(number) != birth:
        out.warnings.append(_("出生日期与公民身份号码不一致，请核对。"))
    if number and out.values.get("gender"):
        warning = gender_warning(number, out.values["gender"])
        if warning:
            out.warnings.append(warning)
    return out


def _clean_one(name: str, value: Any, today: dt.date) -> Any:
    if name == "name":
        if not value:
            raise ValidationError(_("姓名不能为空。"))
        return _text(name, value)
    if name == "gender":
        if value not in _GENDER_VALUES:
            raise ValidationError(_("性别应为“男”或“女”。"))
        return value
    if name == "id_number":
        if not value:
            raise ValidationError(_("公民身份号码不能为空。"))
        return validate_id_number(str(value), today=today)
    if name in ("phone", "phone_alt"):
        return validate_phone(str(value)) if value else ""
    if name == "membership_type":
        if value not in _TYPE_VALUES:
            raise ValidationError(_("人员类别应为“正式党员”或“预备党员”。"))
        return value
    if name == "status":
        if value not in _STATUS_VALUES:
            raise ValidationError(_("党籍状态无效。"))
        return value
    if name in _DATE_FIELDS:
        if value in (None, ""):
            return None
        if not isinstance(value, dt.date):
            raise ValidationError(_("日期格式不正确。"))
        if value > today:
            raise ValidationError(_("日期不能晚于今天。"))
        if value.year < 1900:
            raise ValidationError(_("日期不能早于1900年。"))
        return value
    if name in _BOOL_FIELDS:
        return bool(value)
    if name == "key_groups":
        groups = int(value or 0)
        if groups < 0 or groups > ALL_KEY_GROUPS:
            raise ValidationError(_("重点群体无效。"))
        return groups
    if name == "contact_officer":
        return value or None
    return _text(name, value or "")


def _text(name: str, value: Any) -> str:
    text = str(value)
    limit = _TEXT_LIMITS.get(name)
    if limit and len(text) > limit:
        raise ValidationError(_("内容过长（最多%(limit)s个字）。") % {"limit": limit})
    return text


def current_value(member: Any, name: str) -> Any:
    if name == "contact_officer":
        return member.contact_officer_id
    return getattr(member, name)


def comparable(name: str, value: Any) -> Any:
    if name == "contact_officer":
        return getattr(value, "pk", value)
    return value


def diff_fields(member: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """field → [masked before, masked after] for every value that differs from the member."""
    changes: dict[str, list[Any]] = {}
    for name, new in values.items():
        old = current_value(member, name)
        if comparable(name, old) != comparable(name, new):
            changes[name] = [mask_value(name, old), mask_value(name, new)]
    return changes
