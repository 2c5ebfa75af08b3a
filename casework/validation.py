"""Validation of identity numbers (GB 11643-1999) and Chinese phone numbers."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def id_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalise_id_number(value: str) -> str:
    return value.strip().replace(" ", "").upper()


def validate_id_number(value: str, *, today: dt.date | None = None) -> str:
    """Return the normalised number, or raise ValidationError with a Chinese message."""
    number = normalise_id_number(value)
    if len(number) != 18:
        raise ValidationError(_("公民身份号码应为18位。"), code="id_length")
    if not _ID_RE.match(number):
        raise ValidationError(_("公民身份号码前17位应为数字，末位为数字或X。"), code="id_chars")
    birth = id_birth_date(number)
    if birth is None:
        raise ValidationError(_("公民身份号码中的出生日期无效。"), code="id_birth")
    if birth > (today or dt.date.today()) or birth.year < 1900:
        raise ValidationError(_("公民身份号码中的出生日期无效。"), code="id_birth")
    if id_check_digit(number[:17]) != number[17]:
        raise ValidationError(_("公民身份号码校验码错误。"), code="id_check")
    return number


def id_birth_date(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_gender(number: str) -> str:
    """'M' or 'F' from the sequence digit (odd = male)."""
    return "M" if int(number[16]) % 2 == 1 else "F"


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s()（）]", "", value.strip()).removeprefix("+86")


def validate_phone(value: str) -> str:
    """A mainland mobile (11 digits) or a landline with area code; returns the normalised form."""
    phone = normalise_phone(value)
    if _MOBILE_RE.match(phone) or _LANDLINE_RE.match(phone):
        return phone
    raise ValidationError(
        _("电话号码格式不正确：手机号为11位，固定电话需带区号（如0591-87654321）。"),
        code="phone",
    )


def mask_id_number(number: str) -> str:
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    if len(phone) == 11 and phone.isdigit():
        return phone[:3] + "****" + phone[-4:]
    if len(phone) <= 4:
        return "*" * len(phone)
    return phone[:-4].translate(str.maketrans("0123456789", "**********")) + phone[-4:]


def mask_address(address: str) -> str:
    if len(address) <= 6:
        return address[:2] + "****"
    return address[:6] + "****"
