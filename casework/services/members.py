"""Writing the member register."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from casework.audit import audit_record
from casework.crypto import blind_index
from casework.models import Member, Organisation, Relative
from casework.validation import id_birth_date, validate_id_number


def id_number_index(id_number: str) -> str:
    return blind_index("id_number", id_number)


def member_create(
    *,
    organisation: Organisation,
    name: str,
    gender: str,
    id_number: str,
    actor: AbstractBaseUser | None = None,
    relatives: list[dict[str, str]] | None = None,
    source: str = "ui",
    **fields: Any,
) -> Member:
    """Register a member. The ID number is validated, encrypted and indexed."""
    number = validate_id_number(id_number)
    birth: dt.date | None = fields.pop("birth_date", None) or id_birth_date(number)
    with transaction.atomic():
        member = Member(
            organisation=organisation,
            name=name,
            gender=gender,
            id_number=number,
            id_number_index=id_number_index(number),
            birth_date=birth,
            **fields,
        )
        member.save(force_insert=True)
        for relative in relatives or []:
            Relative.objects.create(member=member, **relative)
        audit_record(
            actor=actor,
            action="member.create",
            obj=member,
            organisation=organisation,
            after={"name": name, "source": source},
        )
    return member
