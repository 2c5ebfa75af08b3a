"""factory_boy factories and a small world of organisations and users for scope tests."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser

from casework.models import Member, Organisation, OrgKind, Role
from casework.services.members import member_create
from casework.services.organisations import organisation_create, role_assign
from casework.validation import id_check_digit

User = get_user_model()
_codes = itertools.count(1)
_id_seq = itertools.count(1)


def valid_id_number(birth: dt.date = dt.date(1985, 6, 15), gender: str = "M") -> str:
    n = next(_id_seq)
    seq = (n % 100) * 10 + (1 if gender == "M" else 2)
    area = 350102 + (n // 100) % 50
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("pw")


def make_org(
    name: str, kind: str, parent: Organisation | None = None, **kw: object
) -> Organisation:
    return organisation_create(
        name=name,
        kind=kind,
        parent=parent,
        code=f"T{next(_codes)}",
        **kw,  # type: ignore[arg-type]
    )


def make_member(organisation: Organisation, **kw: object) -> Member:
    defaults: dict[str, object] = {
        "name": "张三",
        "gender": "M",
        "id_number": valid_id_number(),
        "phone": "13800138000",
        "residence": "福州市鼓楼区五四路1号",
    }
    defaults.update(kw)
    return member_create(organisation=organisation, **defaults)  # type: ignore[arg-type]


def make_user(
    username: str, role: str | None = None, org: Organisation | None = None
) -> AbstractUser:
    user: AbstractUser = UserFactory(username=username)  # type: ignore[assignment]
    if role and org:
        role_assign(user=user, role=role, organisation=org)
    return user


@dataclass
class ScopeWorld:
    department: Organisation
    committee: Organisation
    other_committee: Organisation
    general_branch: Organisation
    branch: Organisation
    sibling_branch: Organisation
    other_branch: Organisation
    officer: AbstractUser
    secretary: AbstractUser
    approver: AbstractUser
    approver2: AbstractUser
    coordinator: AbstractUser
    inspector: AbstractUser
    admin: AbstractUser
    outsider: AbstractUser
    nobody: AbstractUser


def build_world() -> ScopeWorld:
    dept = make_org("测试组织部", OrgKind.DEPARTMENT, doc_code="测组", may_approve=True)
    committee = make_org(
        "测试党委",
        OrgKind.COMMITTEE,
        dept,
        doc_code="测委",
        may_approve=True,
        issuer_name="中共测试党委",
    )
    other = make_org("另一党委", OrgKind.COMMITTEE, dept, doc_code="另委", may_approve=True)
    general = make_org("测试党总支", OrgKind.GENERAL_BRANCH, committee)
    branch = make_org("测试第一党支部", OrgKind.BRANCH, general)
    sibling = make_org("测试第二党支部", OrgKind.BRANCH, general)
    other_branch = make_org("另一党支部", OrgKind.BRANCH, other)
    return ScopeWorld(
        department=dept,
        committee=committee,
        other_committee=other,
        general_branch=general,
        branch=branch,
        sibling_branch=sibling,
        other_branch=other_branch,
        officer=make_user("officer", Role.CONTACT_OFFICER, branch),
        secretary=make_user("secretary", Role.BRANCH_SECRETARY, branch),
        approver=make_user("approver", Role.COMMITTEE_APPROVER, committee),
        approver2=make_user("approver2", Role.COMMITTEE_APPROVER, committee),
        coordinator=make_user("coordinator", Role.COORDINATOR, dept),
        inspector=make_user("inspector", Role.INSPECTOR, dept),
        admin=make_user("administrator", Role.ADMINISTRATOR, dept),
        outsider=make_user("outsider", Role.CONTACT_OFFICER, other_branch),
        nobody=make_user("nobody"),
    )
