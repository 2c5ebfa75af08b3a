"""Load data for cases and everything that hangs off them: the path each case went through to
reach its status, its timeline, attempts, inquiries, talk and decision-path rows."""

from __future__ import annotations

import datetime as dt
import json
import random
from bisect import bisect_right
from functools import lru_cache

from casework import crypto
from casework.bulk_copy import Row, prepare
from casework.devdata.demo import RELATIONS, STREETS
from casework.devdata.load_plan import (
    _CLOSED,
    CITIES,
    STATUS_WEIGHTS,
    CaseChunk,
    CaseChunkResult,
    CasePlan,
    LoadRefused,
    People,
    Tree,
    _moment,
    _next_id,
    _now,
)
from casework.models import (
    UNQUALIFIED_GROUNDS,
    Case,
    CaseStatus,
    Cause,
    Circumstance,
    ClockKind,
    ContactChannel,
    InquiryAnswer,
    InquiryStatus,
    MemberStatus,
    ProposalKind,
    ProposalStatus,
    ReviewLevel,
    WithdrawReason,
)
from casework.policy import rules_for

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
        "{}",  # rule_overrides: none pinned
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
