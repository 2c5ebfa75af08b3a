"""Writing the member register."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from casework.access import REGISTER_ROLES, has_role_over, may_edit_member, may_reveal_member
from casework.audit import audit_record
from casework.crypto import blind_index
from casework.errors import Conflict, InvalidData, NotFound, PermissionDenied
from casework.member_data import (
    REVEALABLE_FIELDS,
    clean_member_fields,
    diff_fields,
    gender_warning,
    mask_value,
)
from casework.models import Member, MemberChange, Organisation, Relative
from casework.rejoin import check_rejoin
from casework.services.search_index import INDEXED_FIELDS, search_index_refresh
from casework.validation import id_birth_date, validate_id_number, validate_phone


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
    """Register a member. The ID number is validated, encrypted and indexed. A number already
    registered is refused (`duplicate_id`), or — for a person removed or persuaded to leave
    while the rejoin bar runs — `rejoin_barred` (casework.rejoin)."""
    number = validate_id_number(id_number)
    birth: dt.date | None = fields.pop("birth_date", None) or id_birth_date(number)
    with transaction.atomic():
        index = id_number_index(number)
        existing = Member.objects.filter(id_number_index=index).first()
        if existing is not None:
            check_rejoin(existing, None)
            raise Conflict(_("该公民身份号码已登记在其他党员名下。"), code="duplicate_id")
        member = Member(
            organisation=organisation,
            name=name,
            gender=gender,
            id_number=number,
            id_number_index=index,
            birth_date=birth,
            **fields,
        )
        try:
            with transaction.atomic():
                member.save(force_insert=True)
        except IntegrityError:
            # registered by a concurrent request since the check above
            if not Member.objects.filter(id_number_index=index).exists():
                raise
            raise Conflict(_("该公民身份号码已登记在其他党员名下。"), code="duplicate_id") from None
        for relative in relatives or []:
            Relative.objects.create(member=member, **relative)
        search_index_refresh(member_ids=[member.pk])
        audit_record(
            actor=actor,
            action="member.create",
            obj=member,
            organisation=organisation,
            after={"name": name, "source": source},
        )
    return member


REQUIRED_ON_CREATE = ("name", "gender", "id_number")


def member_register(
    *,
    organisation: Organisation,
    actor: AbstractBaseUser | None,
    values: dict[str, Any],
    source: str = "ui",
) -> Member:
    """A member entered by hand (the register's 新增党员 page, POST /api/v1/members/): the
    actor needs a write role over the organisation, every field is validated like an edit
    (member_update's rules), the ID number must not be registered yet; then member_create.
    Warnings (e.g. gender vs ID number) do not block; they are on `member.warnings`."""
    _check_may_edit(actor, organisation)
    cleaned = clean_member_fields(values)
    missing = {
        name: str(_("此项为必填项。"))
        for name in REQUIRED_ON_CREATE
        if name not in cleaned.values and name not in cleaned.errors
    }
    if cleaned.errors or missing:
        raise InvalidData(
            _("党员信息有误，请检查标出的字段。"), errors={**cleaned.errors, **missing}
        )
    fields = dict(cleaned.values)
    index = id_number_index(fields["id_number"])
    duplicate = Conflict(_("该公民身份号码已登记在其他党员名下。"), code="duplicate_id")
    if Member.objects.filter(id_number_index=index).exists():
        raise duplicate
    try:
        member = member_create(
            organisation=organisation,
            name=fields.pop("name"),
            gender=fields.pop("gender"),
            id_number=fields.pop("id_number"),
            actor=actor,
            source=source,
            **fields,
        )
    except IntegrityError as exc:  # a concurrent registration of the same ID number won
        raise duplicate from exc
    member.warnings = _warnings(member, cleaned.warnings)  # type: ignore[attr-defined]
    return member


def _check_may_edit(actor: AbstractBaseUser | None, organisation: Organisation) -> None:
    """System writes (actor None) pass; users need a write role over the organisation."""
    if actor is None:
        return
    if not has_role_over(actor, organisation, REGISTER_ROLES):
        raise NotFound(_("未找到该党员。"))
    if not may_edit_member(actor, organisation):
        raise PermissionDenied(_("您的角色只能查看，不能修改党员信息。"))


def _lock(member: Member) -> Member:
    """Lock the member row only (`of=("self",)`): locking the joined organisation would block
    every audit insert of that organisation (its foreign key takes a key-share lock on the
    organisation row) while this transaction waits for the audit stream — a deadlock. No key
    changes, so FOR NO KEY UPDATE: rows referring to the member are not blocked either."""
    return (
        Member.objects.select_for_update(no_key=True, of=("self",))
        .select_related("organisation")
        .get(pk=member.pk)
    )


def member_update(
    *,
    member: Member,
    actor: AbstractBaseUser | None,
    changes: dict[str, Any],
    source: str = "ui",
) -> Member:
    """Change fields of a member: validated, attributed (MemberChange, masked) and audited.

    An edit that changes nothing writes nothing. Warnings (e.g. gender vs ID number) do not
    block; they are returned on `member.warnings`.
    """
    _check_may_edit(actor, member.organisation)
    cleaned = clean_member_fields(changes)
    if cleaned.errors:
        raise InvalidData(_("党员信息有误，请检查标出的字段。"), errors=cleaned.errors)
    values = cleaned.values
    with transaction.atomic():
        locked = _lock(member)
        diff = diff_fields(locked, values)
        if "id_number" in diff:
            index = id_number_index(values["id_number"])
            other = Member.objects.filter(id_number_index=index).exclude(pk=locked.pk).first()
            if other is not None:
                check_rejoin(other, None)
                raise Conflict(_("该公民身份号码已登记在其他党员名下。"), code="duplicate_id")
            locked.id_number_index = index
        if "status" in diff:
            check_rejoin(locked, values["status"])
        if not diff:
            locked.warnings = _warnings(locked, cleaned.warnings)  # type: ignore[attr-defined]
            return locked
        for name in diff:
            setattr(locked, name, values[name])
        fields = [*diff, "updated_at"]
        if "id_number" in diff:
            fields.append("id_number_index")
        locked.save(update_fields=fields)
        if set(diff) & set(INDEXED_FIELDS):
            search_index_refresh(member_ids=[locked.pk])
        _history(locked, actor, source, diff)
        audit_record(
            actor=actor,
            action="member.update",
            obj=locked,
            organisation=locked.organisation,
            before={name: pair[0] for name, pair in diff.items()},
            after={name: pair[1] for name, pair in diff.items()},
            reason=source,
        )
    locked.warnings = _warnings(locked, cleaned.warnings)  # type: ignore[attr-defined]
    return locked


def _warnings(member: Member, found: list[str]) -> list[str]:
    """Warnings about the member as saved (e.g. gender vs ID number), without duplicates."""
    warnings = list(found)
    gender = gender_warning(member.id_number, member.gender)
    if gender and gender not in warnings:
        warnings.append(gender)
    return warnings


def _history(
    member: Member, actor: AbstractBaseUser | None, source: str, changes: dict[str, Any]
) -> MemberChange:
    return MemberChange.objects.create(
        member=member,
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        source=source,
        changes=changes,
    )


def _clean_relative(data: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for name in ("name", "relation", "phone", "address"):
        if name in data:
            values[name] = (data[name] or "").strip()
    if "name" in values and not values["name"]:
        errors["name"] = str(_("姓名不能为空。"))
    if "relation" in values and not values["relation"]:
        errors["relation"] = str(_("关系不能为空。"))
    if values.get("phone"):
        try:
            values["phone"] = validate_phone(values["phone"])
        except ValidationError as exc:
            errors["phone"] = str(exc.messages[0])
    unknown = set(data) - {"name", "relation", "phone", "address"}
    for name in unknown:
        errors[name] = str(_("该字段不能修改。"))
    if errors:
        raise InvalidData(_("亲属信息有误，请检查标出的字段。"), errors=errors)
    return values


def _masked_relative(values: dict[str, str]) -> dict[str, str]:
    return {name: mask_value(name, value) for name, value in values.items()}


def relative_add(
    *, member: Member, actor: AbstractBaseUser | None, data: dict[str, str]
) -> Relative:
    _check_may_edit(actor, member.organisation)
    values = _clean_relative({"name": "", "relation": "", **data})
    with transaction.atomic():
        locked = _lock(member)
        relative = Relative.objects.create(member=locked, **values)
        masked = _masked_relative(values)
        _history(locked, actor, "ui", {"relatives": [None, masked]})
        audit_record(
            actor=actor,
            action="relative.add",
            obj=relative,
            organisation=locked.organisation,
            after=masked,
        )
    return relative


def relative_update(
    *, relative: Relative, actor: AbstractBaseUser | None, data: dict[str, str]
) -> Relative:
    member = relative.member
    _check_may_edit(actor, member.organisation)
    values = _clean_relative(data)
    with transaction.atomic():
        locked = _lock(member)
        current = Relative.objects.select_for_update().get(pk=relative.pk, member=locked)
        diff = {
            name: [mask_value(name, getattr(current, name)), mask_value(name, value)]
            for name, value in values.items()
            if getattr(current, name) != value
        }
        if not diff:
            return current
        for name in diff:
            setattr(current, name, values[name])
        current.save(update_fields=list(diff))
        _history(locked, actor, "ui", {f"relative:{current.pk}:{k}": v for k, v in diff.items()})
        audit_record(
            actor=actor,
            action="relative.update",
            obj=current,
            organisation=locked.organisation,
            before={k: v[0] for k, v in diff.items()},
            after={k: v[1] for k, v in diff.items()},
        )
    return current


def relative_remove(*, relative: Relative, actor: AbstractBaseUser | None) -> None:
    member = relative.member
    _check_may_edit(actor, member.organisation)
    with transaction.atomic():
        locked = _lock(member)
        current = Relative.objects.select_for_update().get(pk=relative.pk, member=locked)
        masked = _masked_relative(
            {n: getattr(current, n) for n in ("name", "relation", "phone", "address")}
        )
        audit_record(
            actor=actor,
            action="relative.remove",
            obj=current,
            organisation=locked.organisation,
            before=masked,
        )
        _history(locked, actor, "ui", {"relatives": [masked, None]})
        current.delete()


def member_reveal(*, member: Member, actor: AbstractBaseUser, fields: list[str]) -> dict[str, Any]:
    """Plaintext personal data for a user allowed to see it; audited (field names only)."""
    if not has_role_over(actor, member.organisation, REGISTER_ROLES):
        raise NotFound(_("未找到该党员。"))
    if not may_reveal_member(actor, member):
        raise PermissionDenied(_("您无权查看该党员的完整个人信息。"))
    wanted = [name for name in REVEALABLE_FIELDS if name in set(fields)]
    if not wanted or len(wanted) != len(set(fields)):
        raise InvalidData(_("请选择要查看的信息。"), errors={"fields": str(_("字段无效。"))})
    with transaction.atomic():
        fresh = Member.objects.select_related("organisation").get(pk=member.pk)
        revealed: dict[str, Any] = {}
        for name in wanted:
            if name == "relatives":
                revealed[name] = [
                    {
                        "id": rel.pk,
                        "name": rel.name,
                        "relation": rel.relation,
                        "phone": rel.phone,
                        "address": rel.address,
                    }
                    for rel in fresh.relatives.order_by("pk")
                ]
            else:
                revealed[name] = getattr(fresh, name)
        audit_record(
            actor=actor,
            action="member.reveal",
            obj=fresh,
            organisation=fresh.organisation,
            after={"fields": wanted},
        )
    return revealed
