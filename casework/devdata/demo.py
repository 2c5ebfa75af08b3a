"""Deterministic, realistic demo data (used by `manage.py seed_demo` and the newcomer setup)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from casework.models import (
    Department,
    DepartmentKind,
    Gender,
    KeyGroup,
    Member,
    MembershipType,
    Organisation,
    OrgKind,
    Role,
)
from casework.services.members import id_number_index, member_create
from casework.services.organisations import organisation_create, role_assign
from casework.validation import id_check_digit

DEMO_PASSWORD = "Lianluo@2026"  # noqa: S105 - printed for the newcomer, demo only

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷黎史龙陶贺顾毛郝龚邵万钱严赖覃洪武莫孔"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏海燕晨宇浩然欣怡子涵梓轩雨婷思远志强春梅秋菊冬生永福德胜国庆丽娟晓东"  # noqa: E501
AREAS = ["350102", "350103", "350104", "350105", "350111", "350121", "350181", "350203"]
OCCUPATIONS = [
    "教师",
    "工程师",
    "会计",
    "个体经营",
    "退休",
    "学生",
    "医生",
    "公务员",
    "工人",
    "自由职业",
]
EMPLOYERS = ["福州第一中学", "福建软件园某科技公司", "鼓楼区某社区", "福州某医院", "自主经营", ""]
STREETS = ["鼓楼区五四路", "台江区八一七中路", "仓山区首山路", "晋安区福新路", "马尾区罗星路"]
RELATIONS = ["配偶", "父亲", "母亲", "子女", "兄弟", "姐妹"]


@dataclass
class DemoResult:
    organisations: int = 0
    members: int = 0
    users: list[tuple[str, str]] = field(default_factory=list)  # (username, description)
    created_members: int = 0


def make_id_number(rng: random.Random, birth: dt.date, gender: str) -> str:
    seq = rng.randint(0, 99) * 10 + (
        rng.choice([1, 3, 5, 7, 9]) if gender == "M" else rng.choice([0, 2, 4, 6, 8])
    )
    first17 = f"{rng.choice(AREAS)}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"


def _org(code: str, **kwargs: Any) -> Organisation:
    existing = Organisation.objects.filter(code=code).first()
    if existing:
        return existing
    return organisation_create(code=code, **kwargs)


@lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    return make_password(DEMO_PASSWORD)  # hashed once: PBKDF2 is deliberately slow


def _user(username: str, full_name: str, *, superuser: bool = False) -> AbstractBaseUser:
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": full_name, "is_staff": superuser, "is_superuser": superuser},
    )
    if created:
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def seed_demo(*, seed: int = 2026, members: int = 300, today: dt.date | None = None) -> DemoResult:
    rng = random.Random(seed)
    today = today or timezone.localdate()  # the day detection counts from
    result = DemoResult()

    dept = _org(
        "FZZZB",
        name="中共福州市委组织部",
        short_name="市委组织部",
        kind=OrgKind.DEPARTMENT,
        doc_code="榕委组",
        issuer_name="中共福州市委组织部",
        may_approve=True,
    )
    edu = _org(
        "FZJGW",
        name="中共福州市委教育工作委员会",
        short_name="市委教育工委",
        kind=OrgKind.COMMITTEE,
        parent=dept,
        doc_code="榕教工委",
        issuer_name="中共福州市委教育工委",
        may_approve=True,
    )
    gl = _org(
        "GLLXGW",
        name="中共福州市鼓楼区两新组织工作委员会",
        short_name="鼓楼区两新工委",
        kind=OrgKind.COMMITTEE,
        parent=dept,
        doc_code="鼓两新工委",
        issuer_name="中共鼓楼区两新工委",
        may_approve=True,
    )
    yz = _org(
        "FZYZ",
        name="福州第一中学党总支",
        kind=OrgKind.GENERAL_BRANCH,
        parent=edu,
        doc_code="一中党总支",
    )
    rjy = _org(
        "RJYZZ",
        name="福建软件园党总支",
        kind=OrgKind.GENERAL_BRANCH,
        parent=gl,
        doc_code="软件园党总支",
    )
    branches = [
        _org("FZYZ-1", name="福州第一中学第一党支部", kind=OrgKind.BRANCH, parent=yz),
        _org("FZYZ-2", name="福州第一中学第二党支部", kind=OrgKind.BRANCH, parent=yz),
        _org("FZYZ-TX", name="福州第一中学退休教师党支部", kind=OrgKind.BRANCH, parent=yz),
        _org("JGW-JG", name="市委教育工委机关党支部", kind=OrgKind.BRANCH, parent=edu),
        _org("JGW-BYS", name="高校毕业生党员党支部", kind=OrgKind.BRANCH, parent=edu),
        _org("RJY-1", name="软件园第一联合党支部", kind=OrgKind.BRANCH, parent=rjy),
        _org("RJY-2", name="软件园第二联合党支部", kind=OrgKind.BRANCH, parent=rjy),
        _org("RJY-RC", name="人才服务中心流动党员党支部", kind=OrgKind.BRANCH, parent=rjy),
        _org("GL-WS", name="五四路社区党支部", kind=OrgKind.BRANCH, parent=gl),
        _org("GL-DJ", name="东街社区党支部", kind=OrgKind.BRANCH, parent=gl),
    ]
    for kind in DepartmentKind:
        Department.objects.get_or_create(
            organisation=dept,
            kind=kind.value,
            defaults={"name": f"福州市{kind.label.split('（')[0]}部门", "answer_days": 10},
        )

    admin = _user("admin", "系统管理员", superuser=True)
    role_assign(user=admin, role=Role.ADMINISTRATOR, organisation=dept)
    result.users.append(("admin", "系统管理员（全市）"))
    coord = _user("coordinator", "陈协调")
    role_assign(user=coord, role=Role.COORDINATOR, organisation=dept)
    result.users.append(("coordinator", "组织部门协调员"))
    inspector = _user("inspector", "林督查")
    role_assign(user=inspector, role=Role.INSPECTOR, organisation=dept)
    result.users.append(("inspector", "督查员（只读）"))
    for username, name, org in (
        ("approver_edu", "郑审批", edu),
        ("approver_edu2", "黄审批", edu),
        ("approver_gl", "吴审批", gl),
    ):
        role_assign(user=_user(username, name), role=Role.COMMITTEE_APPROVER, organisation=org)
        result.users.append((username, f"党委审批人（{org.short_name}）"))
    public_security = Department.objects.get(organisation=dept, kind=DepartmentKind.PUBLIC_SECURITY)
    liaison = _user("liaison_gongan", "公安联络员")
    role_assign(user=liaison, role=Role.LIAISON, organisation=dept, department=public_security)
    result.users.append(("liaison_gongan", "协查部门联络员（公安）"))

    officers: dict[int, list[AbstractBaseUser]] = {}
    for index, branch in enumerate(branches, start=1):
        secretary = _user(f"secretary{index}", f"{SURNAMES[index]}书记")
        role_assign(user=secretary, role=Role.BRANCH_SECRETARY, organisation=branch)
        role_assign(user=secretary, role=Role.CONTACT_OFFICER, organisation=branch)
        officer = _user(f"officer{index}", f"{SURNAMES[index + 20]}委员")
        role_assign(user=officer, role=Role.CONTACT_OFFICER, organisation=branch)
        officers[branch.pk] = [secretary, officer]
        if index <= 2:
            result.users.append((f"secretary{index}", f"支部书记（{branch.name}）"))
            result.users.append((f"officer{index}", f"包干联系人（{branch.name}）"))

    names_seen: set[str] = set()
    for i in range(members):
        branch = branches[i % len(branches)]
        gender = Gender.MALE if rng.random() < 0.55 else Gender.FEMALE
        birth = dt.date(rng.randint(1950, 2002), rng.randint(1, 12), rng.randint(1, 28))
        number = make_id_number(rng, birth, gender)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
        if i == 7:
            name = "李䶮"  # a rare character documents must render
        if i == 11:
            name = "𠮷田明"
        names_seen.add(name)
        roll = rng.random()
        if roll < 0.07:
            days = rng.randint(185, 500)  # already lost contact: detection has work
        elif roll < 0.16:
            days = rng.randint(95, 175)  # at risk
        else:
            days = rng.randint(0, 80)
        last_contact = today - dt.timedelta(days=days)
        key_groups = 0
        if branch.code in ("RJY-RC",) or rng.random() < 0.15:
            key_groups |= KeyGroup.MIGRANT
        if branch.code == "JGW-BYS":
            key_groups |= KeyGroup.GRADUATE
        if branch.code == "FZYZ-TX" and rng.random() < 0.4:
            key_groups |= KeyGroup.RETIRED_SEPARATED
        if branch.code == "RJY-RC":
            key_groups |= KeyGroup.TALENT_CENTRE
        fields: dict[str, Any] = dict(
            organisation=branch,
            name=name,
            gender=gender,
            id_number=number,
            source="demo",
            phone=_mobile(rng),
            residence=f"福州市{rng.choice(STREETS)}{rng.randint(1, 300)}号",
            occupation=rng.choice(OCCUPATIONS),
            employer=rng.choice(EMPLOYERS),
            membership_type=(
                MembershipType.PROBATIONARY if rng.random() < 0.08 else MembershipType.FULL
            ),
            join_date=dt.date(max(birth.year + 19, 1970), rng.randint(1, 12), rng.randint(1, 28)),
            last_org_life_date=last_contact,
            dues_paid_until=last_contact.replace(day=1),
            last_contact_date=last_contact,
            key_groups=key_groups,
            is_mobile=bool(key_groups & KeyGroup.MIGRANT),
            file_location=rng.choice(["福州市人才服务中心", "所在单位人事部门", "鼓楼区人社局"]),
            contact_officer=rng.choice(officers[branch.pk]),
            relatives=[
                {
                    "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                    "relation": rng.choice(RELATIONS),
                    "phone": _mobile(rng),
                    "address": f"福州市{rng.choice(STREETS)}{rng.randint(1, 300)}号",
                }
            ],
        )
        if Member.objects.filter(id_number_index=id_number_index(number)).exists():
            continue
        member_create(**fields)
        result.created_members += 1

    result.organisations = Organisation.objects.count()
    result.members = Member.objects.count()
    return result
