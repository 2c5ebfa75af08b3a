"""Writing the organisation tree and role assignments."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from casework.audit import audit_record
from casework.models import Department, Organisation, OrgKind, Role, RoleAssignment


def organisation_create(
    *,
    name: str,
    kind: str,
    code: str,
    parent: Organisation | None = None,
    doc_code: str = "",
    issuer_name: str = "",
    may_approve: bool = False,
    is_temporary: bool = False,
    short_name: str = "",
    actor: AbstractBaseUser | None = None,
) -> Organisation:
    """Create a node and its materialised path ('/<parent ids>/<id>/')."""
    if kind not in OrgKind.values:
        raise ValueError(f"unknown organisation kind {kind!r}")
    with transaction.atomic():
        org = Organisation(
            name=name,
            short_name=short_name,
            kind=kind,
            code=code,
            parent=parent,
            doc_code=doc_code,
            issuer_name=issuer_name,
            may_approve=may_approve,
            is_temporary=is_temporary,
            path=f"tmp:{code}",
            depth=(parent.depth + 1) if parent else 0,
        )
        org.save(force_insert=True)
        org.path = f"{parent.path if parent else '/'}{org.pk}/"
        Organisation.objects.filter(pk=org.pk).update(path=org.path)
        audit_record(
            actor=actor,
            action="organisation.create",
            obj=org,
            organisation=org,
            after={"name": name, "kind": kind, "code": code},
        )
    return org


def role_assign(
    *,
    user: AbstractBaseUser,
    role: str,
    organisation: Organisation,
    department: Department | None = None,
    actor: AbstractBaseUser | None = None,
) -> RoleAssignment:
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user,
            role=role,
            organisation=organisation,
            defaults={"department": department},
        )
        if created:
            audit_record(
                actor=actor,
                action="role.assign",
                obj=assignment,
                organisation=organisation,
                after={"user": user.pk, "role": role},
            )
    return assignment
