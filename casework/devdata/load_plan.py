"""What a load run shares before writing: the shape of the data (sizes, shares, weights), the
chunks handed to worker processes, the clock, valid ID numbers (GB 11643) and the pool."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import TypeVar

from django.db import models
from django.db.models import Max

from casework.bulk_copy import Batch, Row
from casework.models import (
    CaseStatus,
    KeyGroup,
    MemberStatus,
)

T = TypeVar("T")
R = TypeVar("R")

MEMBER_CHUNK = 5_000
CASE_CHUNK = 5_000
MEMBERS_PER_BRANCH = 200
BRANCHES_PER_COMMITTEE = 100
BRANCHES_PER_GENERAL_BRANCH = 25
LOST_SHARE = 0.07  # latest signal 6-24 months ago
AT_RISK_SHARE = 0.09  # latest signal 3-6 months ago

# Areas not used by seed_demo or the test factories, so their ID numbers never collide.
ID_AREAS = [
    "350205",
    "350206",
    "350211",
    "350212",
    "350213",
    "350302",
    "350303",
    "350304",
    "350305",
    "350322",
    "350402",
    "350403",
    "350421",
    "350502",
    "350503",
    "350504",
]
_BIRTH_EPOCH = dt.date(1936, 1, 1)
_BIRTH_DAYS = 25_000  # births 1936 .. mid-2004: every member is an adult
_ID_SPACE = len(ID_AREAS) * _BIRTH_DAYS * 1000
_ID_MULTIPLIER = 179_424_673  # prime, coprime with _ID_SPACE: a bijection that looks random
_ID_OFFSET = 7_654_321

STATUS_WEIGHTS = {
    CaseStatus.REGISTERED: 14,
    CaseStatus.OUTREACH: 20,
    CaseStatus.INQUIRY: 14,
    CaseStatus.LOCATED: 5,
    CaseStatus.NOT_LOCATED: 5,
    CaseStatus.PROPOSAL: 4,
    CaseStatus.PRE_REVIEW: 3,
    CaseStatus.DEFENCE: 3,
    CaseStatus.MEETING: 3,
    CaseStatus.APPROVAL: 3,
    CaseStatus.IN_FORCE: 4,
    CaseStatus.CLOSED: 17,
    CaseStatus.WITHDRAWN: 5,
}
_STAGE = {status: index for index, status in enumerate(CaseStatus)}
_CLOSED = {CaseStatus.CLOSED.value, CaseStatus.WITHDRAWN.value}
_AFTER_INQUIRY = {s.value for s in CaseStatus if _STAGE[s] >= _STAGE[CaseStatus.INQUIRY]}
CITIES = ["厦门市思明区", "厦门市海沧区", "莆田市城厢区", "三明市三元区", "泉州市鲤城区"]
ETHNICITIES = ["汉族"] * 40 + ["畲族", "回族", "满族", "壮族", "苗族"]
KEY_GROUP_BITS = [group.value for group in KeyGroup]
OTHER_MEMBER_STATUSES = [s.value for s in MemberStatus if s != MemberStatus.NORMAL]
FILE_LOCATIONS = ["所在单位", "县（区）人才服务中心", "街道劳动保障所", "高校档案馆"]


class LoadRefused(RuntimeError):
    """The database already holds members and --append was not given."""


@dataclass
class LoadReport:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    total_seconds: float = 0.0


@dataclass(frozen=True)
class Tree:
    department_id: int
    committee_ids: list[int]
    branch_ids: list[int]
    branch_committees: list[int]  # parallel to branch_ids
    organisation_rows: list[Row]


@dataclass(frozen=True)
class People:
    """The users of the tree: one contact officer per branch (also the case officer)."""

    officer_ids: list[int]  # parallel to Tree.branch_ids
    approver_ids: list[int]  # the approver of each branch's committee
    coordinator_id: int
    user_rows: list[Row]
    role_rows: list[Row]


@dataclass(frozen=True)
class MemberChunk:
    seed: int
    number: int
    start: int  # member index of the chunk's first member
    count: int
    first_id: int  # id of member index 0
    today: dt.date
    bounds: list[int]  # cumulative member count per branch
    branch_ids: list[int]
    officer_ids: list[int]
    postgres: bool


@dataclass
class MemberChunkResult:
    members: Batch
    attempts: Batch
    lost: list[int]  # member indexes
    at_risk: list[int]


@dataclass(frozen=True)
class CasePlan:
    case_id: int
    member_id: int
    organisation_id: int
    officer_id: int
    approver_id: int
    status: str
    talkers: tuple[int, int] | None  # two other members of the branch, for the talk record


@dataclass(frozen=True)
class CaseChunk:
    seed: int
    number: int
    today: dt.date
    cases: list[CasePlan]
    first_case_id: int
    first_proposal_id: int  # proposal id = first_proposal_id + (case id - first_case_id)
    department_ids: list[int]
    coordinator_id: int
    postgres: bool


@dataclass
class CaseChunkResult:
    tables: dict[str, Batch]


# --- helpers -------------------------------------------------------------------------------


def _next_id(model: type[models.Model]) -> int:
    return int(model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


def _now(today: dt.date) -> dt.datetime:
    return dt.datetime(today.year, today.month, today.day, 2, 0, tzinfo=dt.UTC)


def _moment(rng: random.Random, today: dt.date, days_ago: int) -> dt.datetime:
    return _now(today) - dt.timedelta(days=days_ago, seconds=rng.randint(0, 36_000))


_ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]  # GB 11643 / ISO 7064 MOD 11-2
_ID_CHECK = "10X98765432"


@cache
def _area_part(area: int) -> tuple[str, int]:
    code = ID_AREAS[area]
    return code, sum(int(d) * w for d, w in zip(code, _ID_WEIGHTS[:6], strict=True))


@cache
def _birth_part(day: int) -> tuple[dt.date, str, int]:
    birth = _BIRTH_EPOCH + dt.timedelta(days=day)
    digits = f"{birth:%Y%m%d}"
    return birth, digits, sum(int(d) * w for d, w in zip(digits, _ID_WEIGHTS[6:14], strict=True))


def id_number_and_birth(member_id: int) -> tuple[str, dt.date]:
    """A valid, unique 18-digit ID number derived from the member id (GB 11643), and the birth
    date it encodes. Cached partial sums: this runs a million times."""
    k = (member_id * _ID_MULTIPLIER + _ID_OFFSET) % _ID_SPACE
    seq, rest = k % 1000, k // 1000
    area, area_sum = _area_part(rest // _BIRTH_DAYS)
    birth, digits, birth_sum = _birth_part(rest % _BIRTH_DAYS)
    total = area_sum + birth_sum + (seq // 100) * 8 + (seq // 10 % 10) * 4 + (seq % 10) * 2
    return f"{area}{digits}{seq:03d}{_ID_CHECK[total % 11]}", birth


def id_number_for(member_id: int) -> str:
    return id_number_and_birth(member_id)[0]


def _pool_map(fn: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """map() over a pool of forked processes (in order); in-process when workers <= 1."""
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(fn, items)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(fn, items)
