"""Helpers for case tests: departments, liaisons, a case pushed to a given step."""

from __future__ import annotations

from casework.models import Department, DepartmentKind, Organisation, Role
from casework.services.organisations import role_assign
from tests.factories import make_user


def make_department(org: Organisation, kind: str = DepartmentKind.PUBLIC_SECURITY) -> Department:
    return Department.objects.create(
        organisation=org, kind=kind, name=f"{DepartmentKind(kind).label}局", answer_days=10
    )


def make_liaison(username: str, department: Department):
    user = make_user(username)
    role_assign(
        user=user, role=Role.LIAISON, organisation=department.organisation, department=department
    )
    return user
