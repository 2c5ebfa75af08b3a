"""Load data for the register: the organisation tree, users and roles, departments, and the
members with their own contact attempts."""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_right
from collections.abc import Sequence

from django.contrib.auth import get_user_model

from casework import crypto
from casework.bulk_copy import Row, prepare
from casework.devdata.demo import EMPLOYERS, GIVEN, OCCUPATIONS, STREETS, SURNAMES
from casework.devdata.load_plan import (
    AT_RISK_SHARE,
    BRANCHES_PER_COMMITTEE,
    BRANCHES_PER_GENERAL_BRANCH,
    CITIES,
    ETHNICITIES,
    FILE_LOCATIONS,
    KEY_GROUP_BITS,
    LOST_SHARE,
    OTHER_MEMBER_STATUSES,
    MemberChunk,
    MemberChunkResult,
    People,
    T,
    Tree,
    _moment,
    _next_id,
    _now,
    id_number_and_birth,
)
from casework.models import (
    Department,
    DepartmentKind,
    KeyGroup,
    MemberStatus,
    Organisation,
    OrgKind,
    Role,
)

# --- organisations, users, roles, departments ----------------------------------------------


def organisation_tree(*, rng: random.Random, branches: int, seed: int) -> Tree:
    """Department → committees → (general branches →) branches, paths computed here."""
    next_id = _next_id(Organisation)
    created = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    rows: list[Row] = []

    def add(
        name: str, kind: str, parent: tuple[int, str, int] | None, **kw: object
    ) -> tuple[int, str, int]:
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
