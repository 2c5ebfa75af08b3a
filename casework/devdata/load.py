"""Realistic load data at scale (`manage.py generate_load`): one small function per table.

Ids are allocated up front (max id + 1) so that the organisation tree's materialised paths,
the members' branches and the cases' members are known before a row is written. Rows are
written through casework.bulk_copy (COPY on PostgreSQL). Members and cases are generated in
chunks, each from its own seeded random stream, so the data is the same for a seed whatever
the number of worker processes; workers encrypt personal data with casework.crypto (the
dominant cost) and, on PostgreSQL, encode the COPY text too.

Generated data is bulk data: it bypasses services, so it writes no audit events.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import random
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TypeVar

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Max

from casework import crypto
from casework.bulk_copy import Batch, Row, is_postgres, prepare, reset_sequences, write_rows
from casework.devdata.demo import EMPLOYERS, GIVEN, OCCUPATIONS, RELATIONS, STREETS, SURNAMES
from casework.models import (
    UNQUALIFIED_GROUNDS,
    ApproverAssignment,
    Case,
    CaseStatus,
    Cause,
    Circumstance,
    ClockKind,
    ContactAttempt,
    ContactChannel,
    Decision,
    Department,
    DepartmentKind,
    Inquiry,
    InquiryAnswer,
    InquiryStatus,
    KeyGroup,
    MeetingResolution,
    Member,
    MemberStatus,
    Organisation,
    OrgKind,
    PreReview,
    Proposal,
    ProposalKind,
    ProposalStatus,
    ReviewLevel,
    Role,
    RoleAssignment,
    TalkRecord,
    TimelineEntry,
    WithdrawReason,
)
from casework.policy import rules_for

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


# --- organisations, users, roles, departments ----------------------------------------------


def organisation_tree(*, rng: random.Random, branches: int, seed: int) -> Tree:
    """Department → committees → (general branches →) branches, paths computed here."""
    next_id = _next_id(Organisation)
    created = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    rows: list[Row] = []

    def add(name: str, kind: str, parent: tuple[int, str, int] | None, **kw: object) -> tuple:
        nonlocal next_id
        org_id, next_id = next_id, next_id + 1
        path = f"{parent[1] if parent else '/'}{org_id}/"
        depth = parent[2] + 1 if parent else 0
        rows.append(
            (
                org_id,
                name,
                kw.get("short_name", ""),
                kind,
                parent[0] if parent else None,
                path,
                depth,
                f"LOAD{seed}-{org_id}",
                kw.get("doc_code", ""),
                kw.get("issuer_name", ""),
                bool(kw.get("may_approve", False)),
                False,
                created,
            )
        )
        return (org_id, path, depth)

    department = add(
        f"中共压测市委组织部（{seed}）",
        OrgKind.DEPARTMENT,
        None,
        short_name="压测组织部",
        doc_code="压组",
        issuer_name="中共压测市委组织部",
        may_approve=True,
    )
    committees, branch_ids, branch_committees = [], [], []
    committee_count = max(1, -(-branches // BRANCHES_PER_COMMITTEE))
    for c in range(committee_count):
        committee = add(
            f"中共{rng.choice(CITIES)}第{c + 1}委员会",
            OrgKind.COMMITTEE,
            department,
            doc_code=f"压委{c + 1}",
            issuer_name=f"中共压测第{c + 1}委员会",
            may_approve=True,
        )
        committees.append(committee[0])
        share = branches // committee_count + (1 if c < branches % committee_count else 0)
        generals = [
            add(f"第{c + 1}委第{g + 1}党总支", OrgKind.GENERAL_BRANCH, committee)
            for g in range(share // BRANCHES_PER_GENERAL_BRANCH)
        ]
        for b in range(share):
            parent = generals[b % len(generals)] if generals and b % 3 else committee
            branch = add(
                f"{rng.choice(EMPLOYERS) or '社区'}第{b + 1}党支部", OrgKind.BRANCH, parent
            )
            branch_ids.append(branch[0])
            branch_committees.append(committee[0])
    return Tree(department[0], committees, branch_ids, branch_committees, rows)


def people(*, tree: Tree, today: dt.date, seed: int) -> People:
    """A contact officer per branch, an approver per committee, a coordinator at the top."""
    next_id = _next_id(get_user_model())
    joined = _now(today) - dt.timedelta(days=800)
    user_rows: list[Row] = []
    role_rows: list[Row] = []

    def add(username: str, first_name: str, role: str, org_id: int) -> int:
        nonlocal next_id
        user_id, next_id = next_id, next_id + 1
        # password "!…" is unusable: load users cannot log in until someone sets a password
        user_rows.append(
            (user_id, "!load", None, False, username, first_name, "", "", False, True, joined)
        )
        role_rows.append((user_id, role, org_id, None, True, joined))
        return user_id

    prefix = f"load{seed}_{tree.department_id}"
    coordinator = add(f"{prefix}_coord", "协调员", Role.COORDINATOR, tree.department_id)
    approvers = {
        committee_id: add(
            f"{prefix}_appr{committee_id}", "审批人", Role.COMMITTEE_APPROVER, committee_id
        )
        for committee_id in tree.committee_ids
    }
    officers = [
        add(f"{prefix}_off{branch_id}", "联系人", Role.CONTACT_OFFICER, branch_id)
        for branch_id in tree.branch_ids
    ]
    branch_approvers = [approvers[committee_id] for committee_id in tree.branch_committees]
    return People(officers, branch_approvers, coordinator, user_rows, role_rows)


def department_rows(*, tree: Tree) -> list[Row]:
    """The government departments the organisation department asks for clues."""
    first = _next_id(Department)
    return [
        (first + n, tree.department_id, kind, f"压测市{label}", "综合科", "", 10, True)
        for n, (kind, label) in enumerate(DepartmentKind.choices)
    ]


# --- members and their own contact attempts ------------------------------------------------


def member_chunk(spec: MemberChunk) -> MemberChunkResult:
    """Members spec.start .. start+count: encrypted personal data, signals over two years."""
    rng = random.Random(f"{spec.seed}:members:{spec.number}")
    today, now = spec.today, _now(spec.today)
    rand = rng.random  # the hot loop avoids randint/choice: they cost ~1µs each

    def between(low: int, high: int) -> int:
        return low + int(rand() * (high - low + 1))

    def pick(options: Sequence[T]) -> T:
        return options[int(rand() * len(options))]

    rows: list[Row] = []
    attempts: list[Row] = []
    lost: list[int] = []
    at_risk: list[int] = []
    for index in range(spec.start, spec.start + spec.count):
        member_id = spec.first_id + index
        branch = bisect_right(spec.bounds, index)
        number, birth = id_number_and_birth(member_id)
        adult = (
            birth.replace(year=birth.year + 18)
            if (birth.month, birth.day) != (2, 29)
            else (dt.date(birth.year + 18, 3, 1))
        )
        probationary = rand() < 0.03
        if probationary:
            join = today - dt.timedelta(days=between(30, 360))
        else:
            join = adult + dt.timedelta(days=between(0, max(0, (today - adult).days - 400)))
        roll = rand()
        if roll < LOST_SHARE:
            latest_ago = between(183, 730)
            lost.append(index)
        elif roll < LOST_SHARE + AT_RISK_SHARE:
            latest_ago = between(92, 182)
            at_risk.append(index)
        else:
            latest_ago = between(0, 91)
        signals = [latest_ago + between(0, 240) for _ in range(3)]
        signals[int(rand() * 3)] = latest_ago
        org_life = today - dt.timedelta(days=signals[0])
        dues = (today - dt.timedelta(days=signals[1])).replace(day=1)
        contact = today - dt.timedelta(days=signals[2])
        groups = 0
        if rand() < (0.6 if latest_ago > 91 else 0.15):
            groups = pick(KEY_GROUP_BITS)
        status = MemberStatus.NORMAL.value
        if rand() < 0.015:
            status = pick(OTHER_MEMBER_STATUSES)
        mobile = bool(groups & (KeyGroup.MIGRANT | KeyGroup.MOBILE_YOUNG))
        created = now - dt.timedelta(days=between(30, 900))
        rows.append(
            (
                member_id,
                spec.branch_ids[branch],
                pick(SURNAMES) + pick(GIVEN) + (pick(GIVEN) if rand() < 0.6 else ""),
                "M" if int(number[16]) % 2 else "F",
                pick(ETHNICITIES),
                birth,
                crypto.encrypt(number),
                crypto.blind_index("id_number", number),
                pick(OCCUPATIONS),
                pick(EMPLOYERS),
                crypto.encrypt(f"1{pick('3456789')}{int(rand() * 1e9):09d}"),
                crypto.encrypt(f"1{pick('3456789')}{int(rand() * 1e9):09d}")
                if rand() < 0.3
                else "",
                crypto.encrypt(
                    f"{pick(CITIES)}{pick(STREETS)[3:]}{between(1, 400)}号"
                    f"{between(1, 30)}栋{between(101, 2806)}室"
                ),
                "probationary" if probationary else "full",
                join,
                status,
                org_life,
                dues,
                max(org_life, dues, contact),
                mobile,
                f"LD{member_id:010d}" if mobile else "",
                rand() < 0.01,
                pick(FILE_LOCATIONS),
                groups,
                spec.officer_ids[branch],
                created,
                created,
            )
        )
        attempts.extend(_member_attempts(rng, spec, member_id, branch, latest_ago))
    return MemberChunkResult(
        members=prepare(rows, postgres=spec.postgres),
        attempts=prepare(attempts, postgres=spec.postgres),
        lost=lost,
        at_risk=at_risk,
    )


def _member_attempts(
    rng: random.Random, spec: MemberChunk, member_id: int, branch: int, latest_ago: int
) -> list[Row]:
    """Failed attempts for members slipping away; a successful one for some others."""
    officer = spec.officer_ids[branch]
    if latest_ago > 91:
        outcomes = [
            rng.choice(["no_answer", "no_answer", "wrong_number", "other"])
            for _ in range(rng.randint(1, 3))
        ]
    elif rng.random() < 0.1:
        outcomes = ["reached"]
    else:
        return []
    rows: list[Row] = []
    for outcome in outcomes:
        days_ago = latest_ago if outcome == "reached" else rng.randint(0, latest_ago)
        at = _moment(rng, spec.today, days_ago)
        channel = rng.choice(["phone", "phone", "sms", "wechat", "home_visit", "relative"])
        rows.append((member_id, None, channel, outcome, "", at, officer, at))
    return rows


# --- cases and everything that hangs off them ----------------------------------------------

# The steps a case went through to reach its status (timeline, related rows, timestamps).
_OPENING = ["registered", "outreach", "inquiry"]
_DECISION = ["pre_review", "defence", "meeting", "approval", "in_force", "closed"]
LOCATED_PATH = [*_OPENING, "located", "proposal", *_DECISION]
NOT_LOCATED_PATH = [*_OPENING, "not_located", *_DECISION]
STEP_ACTIONS = {
    "registered": "case.open",
    "outreach": "case.start_outreach",
    "inquiry": "case.finish_outreach",
    "located": "case.mark_located",
    "not_located": "case.mark_not_located",
    "proposal": "case.assess_cause",
    "pre_review": "case.propose",
    "defence": "case.pre_review",
    "meeting": "case.close_defence",
    "approval": "case.record_meeting",
    "in_force": "case.approve",
    "closed": "case.close",
    "withdrawn": "case.withdraw",
}
CASE_TABLES = (
    "cases",
    "timeline",
    "talks",
    "proposals",
    "pre_reviews",
    "meetings",
    "approvers",
    "decisions",
    "attempts",
    "inquiries",
)


@lru_cache(maxsize=4096)
def _rule_set_code(day: dt.date) -> str:
    return rules_for(day).code


def case_path(rng: random.Random, status: str) -> list[str]:
    """The statuses a case passed through, ending with `status`."""
    if status == CaseStatus.WITHDRAWN:
        return [*_OPENING[: rng.randint(1, 3)], "withdrawn"]
    located = status in ("located", "proposal") or (
        status not in _OPENING and status != "not_located" and rng.random() < 0.5
    )
    path = LOCATED_PATH if located else NOT_LOCATED_PATH
    return path[: path.index(status) + 1]


def case_chunk(spec: CaseChunk) -> CaseChunkResult:
    """Cases at every stage, each with its timeline and the rows its steps leave behind."""
    rng = random.Random(f"{spec.seed}:cases:{spec.number}")
    tables: dict[str, list[Row]] = {name: [] for name in CASE_TABLES}
    for plan in spec.cases:
        path = case_path(rng, plan.status)
        age = rng.randint(len(path), 30 + 45 * len(path))
        opened = _moment(rng, spec.today, age)
        steps = sorted(opened + dt.timedelta(minutes=rng.randint(0, age * 1440)) for _ in path)
        steps[0] = opened
        at = dict(zip(path, steps, strict=True))
        proposal_id = spec.first_proposal_id + (plan.case_id - spec.first_case_id)
        tables["cases"].append(_case_row(rng, plan, path, at, proposal_id))
        tables["timeline"].extend(_timeline_rows(plan, path, at))
        if "outreach" in at:
            tables["attempts"].extend(_case_attempts(rng, spec, plan, at))
        if "inquiry" in at:
            tables["inquiries"].extend(_inquiries(rng, spec, plan, at))
        if "located" in at and plan.talkers:
            tables["talks"].append(_talk_row(rng, plan, at["located"]))
        if "pre_review" in at:
            _decision_path_rows(rng, spec, plan, at, proposal_id, tables)
    return CaseChunkResult(
        {name: prepare(rows, postgres=spec.postgres) for name, rows in tables.items()}
    )


def _case_row(
    rng: random.Random,
    plan: CasePlan,
    path: list[str],
    at: dict[str, dt.datetime],
    proposal_id: int,
) -> Row:
    status = plan.status
    closed = at.get("closed") or at.get("withdrawn")
    located = "located" in at
    cause = ""
    if "proposal" in at:
        cause = rng.choice([Cause.SUBJECTIVE, Cause.UNFIT]).value
    elif located:
        cause = rng.choice(["", Cause.OBJECTIVE.value])
    in_force = status == CaseStatus.IN_FORCE
    return (
        plan.case_id,
        plan.member_id,
        plan.organisation_id,
        status,
        rng.choice(Circumstance.values),
        _rule_set_code(at["registered"].date()),
        json.dumps({"source": "generate_load", "months_silent": rng.randint(6, 24)}),
        at["registered"],
        plan.officer_id if rng.random() < 0.3 else None,
        closed,
        at[path[-1]],
        at.get("inquiry"),
        at["located"] if located else None,
        cause,
        json.dumps([ProposalKind.CORRECTION.value] if cause == Cause.SUBJECTIVE else []),
        proposal_id if "pre_review" in at else None,
        ClockKind.CORRECTION.value if in_force else "",
        (at["in_force"] + dt.timedelta(days=180)).date() if in_force else None,
        "corrected" if "closed" in at else "",
        rng.choice(WithdrawReason.values) if status == CaseStatus.WITHDRAWN else "",
    )


def _timeline_rows(plan: CasePlan, path: list[str], at: dict[str, dt.datetime]) -> list[Row]:
    rows: list[Row] = []
    before = ""
    for status in path:
        actor = None if status == "registered" else plan.officer_id
        rows.append(
            (plan.case_id, at[status], actor, STEP_ACTIONS[status], before, status, "", "{}")
        )
        before = status
    return rows


def _case_attempts(
    rng: random.Random, spec: CaseChunk, plan: CasePlan, at: dict[str, dt.datetime]
) -> list[Row]:
    """Outreach: several channels including relatives, none successful."""
    rows: list[Row] = []
    start = at["outreach"]
    end = at.get("inquiry") or _now(spec.today)
    span = max(60, int((end - start).total_seconds()))
    for n in range(rng.randint(2, 5)):
        when = start + dt.timedelta(seconds=rng.randint(0, span))
        channel = "relative" if n == 0 else rng.choice(ContactChannel.values[:-1])
        outcome = rng.choice(["no_answer", "wrong_number", "other"])
        note = f"{rng.choice(RELATIONS)}称不知去向" if channel == "relative" else ""
        rows.append(
            (plan.member_id, plan.case_id, channel, outcome, note, when, plan.officer_id, when)
        )
    return rows


def _inquiries(
    rng: random.Random, spec: CaseChunk, plan: CasePlan, at: dict[str, dt.datetime]
) -> list[Row]:
    """One request per department asked: open while the case is at inquiry, settled after."""
    rows: list[Row] = []
    departments = spec.department_ids
    for department_id in rng.sample(
        departments, rng.randint(min(2, len(departments)), len(departments))
    ):
        if plan.status == CaseStatus.INQUIRY:
            state = rng.choice(
                ["draft", "signed", "sent", "sent", "answered", "overdue", "reminded"]
            )
        else:
            state = "answered" if rng.random() < 0.7 else "closed_unanswered"
        requested = at["inquiry"] + dt.timedelta(hours=rng.randint(1, 48))
        sent = None
        if state not in (InquiryStatus.DRAFT, InquiryStatus.SIGNED):
            sent = requested + dt.timedelta(hours=rng.randint(1, 72))
        answer, details, answered = "", "", None
        if state == InquiryStatus.ANSWERED:
            answer = rng.choice(InquiryAnswer.values)
            answered = (sent or requested) + dt.timedelta(days=rng.randint(1, 12))
            if answer != InquiryAnswer.NOT_FOUND:
                clue = {"address": f"{rng.choice(CITIES)}{rng.choice(STREETS)[3:]}", "phone": ""}
                details = crypto.encrypt(json.dumps(clue, ensure_ascii=False))
        rows.append(
            (
                plan.case_id,
                department_id,
                state,
                sent.date() + dt.timedelta(days=14) if sent else None,
                spec.coordinator_id,
                requested,
                sent,
                answered,
                None,
                answer,
                details,
                1 if state == InquiryStatus.REMINDED else 0,
                answered or sent or requested,
            )
        )
    return rows


def _talk_row(rng: random.Random, plan: CasePlan, located: dt.datetime) -> Row:
    assert plan.talkers is not None
    content = crypto.encrypt(
        f"本人说明{rng.choice(['外出务工', '更换工作', '搬家'])}，未及时报告。"
    )
    return (plan.case_id, *plan.talkers, located.date(), content, plan.officer_id, located)


def _decision_path_rows(
    rng: random.Random,
    spec: CaseChunk,
    plan: CasePlan,
    at: dict[str, dt.datetime],
    proposal_id: int,
    tables: dict[str, list[Row]],
) -> None:
    """The proposal and what the decision path left: pre-review, meeting, approvers, decision."""
    proposed = at["pre_review"]
    decided = "in_force" in at
    notified = at["defence"].date() if "defence" in at else None
    tables["proposals"].append(
        (
            proposal_id,
            plan.case_id,
            ProposalKind.CORRECTION.value,
            json.dumps([rng.choice(UNQUALIFIED_GROUNDS).value]),
            "长期未参加组织生活，未按规定交纳党费。",
            6,
            ProposalStatus.APPROVED.value if decided else ProposalStatus.PENDING.value,
            plan.officer_id,
            proposed,
            "proposal" if "proposal" in at else "not_located",
            notified,
            notified + dt.timedelta(days=10) if notified else None,
            "",
            at.get("meeting"),
        )
    )
    if "defence" in at:
        tables["pre_reviews"].append(
            (
                proposal_id,
                ReviewLevel.COMMITTEE.value,
                plan.approver_id,
                "同意。",
                True,
                at["defence"],
            )
        )
    if "approval" in at:
        voting = rng.randint(7, 50)
        present = rng.randint(voting // 2 + 1, voting)
        votes_for = rng.randint(voting // 2 + 1, present)
        against = rng.randint(0, present - votes_for)
        tables["meetings"].append(
            (
                proposal_id,
                at["approval"].date(),
                voting,
                present,
                votes_for,
                against,
                present - votes_for - against,
                True,
                plan.officer_id,
                at["approval"],
            )
        )
        tables["approvers"].append(
            (proposal_id, plan.approver_id, spec.coordinator_id, True, at["approval"])
        )
    if decided:
        tables["decisions"].append(
            (
                plan.case_id,
                proposal_id,
                plan.member_id,
                ProposalKind.CORRECTION.value,
                plan.approver_id,
                "同意限期改正。",
                at["in_force"],
                MemberStatus.NORMAL.value,
                MemberStatus.NORMAL.value,
                (at["in_force"] + dt.timedelta(days=180)).date(),
            )
        )


def case_assignments(
    *,
    rng: random.Random,
    cases: int,
    members: int,
    lost: list[int],
    at_risk: list[int],
) -> list[tuple[int, str]]:
    """(member index, status) per case: every status once, then weighted; open cases go to
    lost members first, then at-risk ones, then anyone — never two open cases per member."""
    statuses = [s.value for s in CaseStatus][:cases]
    weights = list(STATUS_WEIGHTS.values())
    statuses += rng.choices([s.value for s in STATUS_WEIGHTS], weights, k=cases - len(statuses))
    open_count = sum(1 for s in statuses if s not in _CLOSED)
    if open_count > members:
        raise LoadRefused(f"{open_count} open cases need as many members; there are {members}.")
    candidates = rng.sample(lost, len(lost)) + rng.sample(at_risk, len(at_risk))
    if open_count > len(candidates):
        taken = set(candidates)
        rest = [i for i in rng.sample(range(members), members) if i not in taken]
        candidates += rest
    open_members = iter(candidates[:open_count])
    return [
        (rng.randrange(members) if status in _CLOSED else next(open_members), status)
        for status in statuses
    ]


def case_plans(
    *,
    rng: random.Random,
    cases: int,
    members: int,
    first_member_id: int,
    bounds: list[int],
    lost: list[int],
    at_risk: list[int],
    tree: Tree,
    staff: People,
) -> list[CasePlan]:
    """Who each case is about, where, who works it, and two branch members for the talk."""
    first_case = _next_id(Case)
    plans = []
    for n, (index, status) in enumerate(
        case_assignments(rng=rng, cases=cases, members=members, lost=lost, at_risk=at_risk)
    ):
        branch = bisect_right(bounds, index)
        low, high = (bounds[branch - 1] if branch else 0), bounds[branch]
        others = [i for i in range(low, min(high, low + 12)) if i != index]
        talkers = None
        if len(others) >= 2:
            first, second = rng.sample(others, 2)
            talkers = (first_member_id + first, first_member_id + second)
        plans.append(
            CasePlan(
                case_id=first_case + n,
                member_id=first_member_id + index,
                organisation_id=tree.branch_ids[branch],
                officer_id=staff.officer_ids[branch],
                approver_id=staff.approver_ids[branch],
                status=status,
                talkers=talkers,
            )
        )
    return plans


# --- the whole run -------------------------------------------------------------------------


def generate_load(
    *,
    members: int,
    cases: int,
    seed: int = 1,
    branches: int | None = None,
    today: dt.date | None = None,
    append: bool = False,
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> LoadReport:
    """Write the tree, users, members, contact attempts, and cases with their steps' rows."""
    if members < 1:
        raise ValueError("members must be at least 1")
    if not append and Member.objects.exists():
        raise LoadRefused("The database already holds members; pass --append to add more.")
    today = today or dt.date.today()
    branches = branches or max(1, round(members / MEMBERS_PER_BRANCH))
    branches = min(branches, members)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    postgres = is_postgres()
    rng = random.Random(f"{seed}:plan")
    report = LoadReport()
    began = time.perf_counter()
    crypto.encrypt("warm-up")  # build the Fernet keys once, before worker processes fork

    def step(
        name: str, model: type[models.Model], columns: list[str], batches: Iterable[Batch]
    ) -> None:
        start = time.perf_counter()
        report.rows[name] = write_rows(model, columns, batches)
        report.seconds[name] = round(time.perf_counter() - start, 3)
        if progress:
            progress(f"{name}: {report.rows[name]} rows in {report.seconds[name]:.1f}s")

    with transaction.atomic():
        tree = organisation_tree(rng=rng, branches=branches, seed=seed)
        step("organisations", Organisation, ORGANISATION_COLUMNS, [tree.organisation_rows])
        staff = people(tree=tree, today=today, seed=seed)
        step("users", get_user_model(), USER_COLUMNS, [staff.user_rows])
        step("role_assignments", RoleAssignment, ROLE_COLUMNS, [staff.role_rows])
        departments = department_rows(tree=tree)
        step("departments", Department, DEPARTMENT_COLUMNS, [departments])

        weights = [rng.uniform(0.3, 1.7) for _ in tree.branch_ids]
        total, running, bounds = sum(weights), 0.0, []
        for weight in weights:
            running += weight
            bounds.append(round(members * running / total))
        first_id = _next_id(Member)
        member_specs = [
            MemberChunk(
                seed=seed,
                number=n,
                start=start,
                count=min(MEMBER_CHUNK, members - start),
                first_id=first_id,
                today=today,
                bounds=bounds,
                branch_ids=tree.branch_ids,
                officer_ids=staff.officer_ids,
                postgres=postgres,
            )
            for n, start in enumerate(range(0, members, MEMBER_CHUNK))
        ]
        attempt_batches: list[Batch] = []
        lost: list[int] = []
        at_risk: list[int] = []

        def member_batches() -> Iterator[Batch]:
            for result in _pool_map(member_chunk, member_specs, workers):
                attempt_batches.append(result.attempts)
                lost.extend(result.lost)
                at_risk.extend(result.at_risk)
                yield result.members

        step("members", Member, MEMBER_COLUMNS, member_batches())

        plans = case_plans(
            rng=rng,
            cases=cases,
            members=members,
            first_member_id=first_id,
            bounds=bounds,
            lost=lost,
            at_risk=at_risk,
            tree=tree,
            staff=staff,
        )
        first_case, first_proposal = _next_id(Case), _next_id(Proposal)
        case_specs = [
            CaseChunk(
                seed=seed,
                number=n,
                today=today,
                cases=plans[start : start + CASE_CHUNK],
                first_case_id=first_case,
                first_proposal_id=first_proposal,
                department_ids=[int(str(row[0])) for row in departments],
                coordinator_id=staff.coordinator_id,
                postgres=postgres,
            )
            for n, start in enumerate(range(0, len(plans), CASE_CHUNK))
        ]
        later: dict[str, list[Batch]] = {name: [] for name in CASE_TABLES}
        later["attempts"] = attempt_batches

        def case_batches() -> Iterator[Batch]:
            for result in _pool_map(case_chunk, case_specs, workers):
                for name, batch in result.tables.items():
                    if name != "cases":
                        later[name].append(batch)
                yield result.tables["cases"]

        step("cases", Case, CASE_COLUMNS, case_batches())
        for name, (model, columns) in CASE_TABLE_MODELS.items():
            step(name, model, columns, later[name])
        reset_sequences(Organisation, get_user_model(), Department, Member, Case, Proposal)
    if postgres:
        start = time.perf_counter()
        _analyze(Organisation, Member, Case, ContactAttempt, Inquiry, TimelineEntry)
        report.seconds["analyze"] = round(time.perf_counter() - start, 3)
    report.total_seconds = round(time.perf_counter() - began, 3)
    return report


def _analyze(*models_: type[models.Model]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


ORGANISATION_COLUMNS = [
    "id",
    "name",
    "short_name",
    "kind",
    "parent_id",
    "path",
    "depth",
    "code",
    "doc_code",
    "issuer_name",
    "may_approve",
    "is_temporary",
    "created_at",
]
USER_COLUMNS = [
    "id",
    "password",
    "last_login",
    "is_superuser",
    "username",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
]
ROLE_COLUMNS = ["user_id", "role", "organisation_id", "department_id", "is_active", "created_at"]
DEPARTMENT_COLUMNS = [
    "id",
    "organisation_id",
    "kind",
    "name",
    "office",
    "contact_person",
    "answer_days",
    "is_active",
]
MEMBER_COLUMNS = [
    "id",
    "organisation_id",
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "id_number_index",
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
    "last_contact_date",
    "is_mobile",
    "mobile_certificate_no",
    "is_abroad",
    "file_location",
    "key_groups",
    "contact_officer_id",
    "created_at",
    "updated_at",
]
ATTEMPT_COLUMNS = [
    "member_id",
    "case_id",
    "channel",
    "outcome",
    "notes",
    "at",
    "recorded_by_id",
    "created_at",
]
CASE_COLUMNS = [
    "id",
    "member_id",
    "organisation_id",
    "status",
    "circumstance",
    "rule_set",
    "evidence",
    "opened_at",
    "opened_by_id",
    "closed_at",
    "updated_at",
    "outreach_done_at",
    "located_at",
    "cause",
    "suggested_kinds",
    "current_proposal_id",
    "clock_kind",
    "clock_due",
    "outcome",
    "withdraw_reason",
]
INQUIRY_COLUMNS = [
    "case_id",
    "department_id",
    "status",
    "due_date",
    "requested_by_id",
    "requested_at",
    "sent_at",
    "answered_at",
    "answered_by_id",
    "answer",
    "answer_details",
    "reminder_count",
    "updated_at",
]
TIMELINE_COLUMNS = [
    "case_id",
    "at",
    "actor_id",
    "action",
    "from_status",
    "to_status",
    "comment",
    "details",
]
TALK_COLUMNS = [
    "case_id",
    "talker1_id",
    "talker2_id",
    "held_on",
    "content",
    "recorded_by_id",
    "recorded_at",
]
PROPOSAL_COLUMNS = [
    "id",
    "case_id",
    "kind",
    "grounds",
    "reasons",
    "correction_months",
    "status",
    "proposed_by_id",
    "proposed_at",
    "proposed_in",
    "notified_on",
    "defence_until",
    "defence_text",
    "defence_closed_at",
]
PRE_REVIEW_COLUMNS = ["proposal_id", "level", "reviewer_id", "comment", "is_current", "at"]
MEETING_COLUMNS = [
    "proposal_id",
    "held_on",
    "voting_members",
    "present",
    "votes_for",
    "votes_against",
    "abstentions",
    "passed",
    "recorded_by_id",
    "recorded_at",
]
APPROVER_COLUMNS = ["proposal_id", "user_id", "added_by_id", "is_active", "at"]
DECISION_COLUMNS = [
    "case_id",
    "proposal_id",
    "member_id",
    "kind",
    "approved_by_id",
    "approval_comment",
    "in_force_at",
    "member_status_before",
    "member_status_after",
    "clock_due",
]
# Written after the cases (foreign keys are deferred to commit, so the order is for reading).
CASE_TABLE_MODELS: dict[str, tuple[type[models.Model], list[str]]] = {
    "proposals": (Proposal, PROPOSAL_COLUMNS),
    "timeline": (TimelineEntry, TIMELINE_COLUMNS),
    "talks": (TalkRecord, TALK_COLUMNS),
    "pre_reviews": (PreReview, PRE_REVIEW_COLUMNS),
    "meetings": (MeetingResolution, MEETING_COLUMNS),
    "approvers": (ApproverAssignment, APPROVER_COLUMNS),
    "decisions": (Decision, DECISION_COLUMNS),
    "attempts": (ContactAttempt, ATTEMPT_COLUMNS),
    "inquiries": (Inquiry, INQUIRY_COLUMNS),
}
