"""The stage demo cases are driven on (workflows.case.outcomes): a branch configured as a real
one would be, its members, and the steps a case goes through — each done by a user picked by
its role through the step's form (workflows.case.drive), the clock moved as a case would wait.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from casework.models import (
    Case,
    Department,
    DepartmentKind,
    Gender,
    Inquiry,
    Member,
    MembershipType,
    Organisation,
    Role,
    RoleAssignment,
)
from casework.services.cases import case_open, organisation_department
from casework.services.members import member_create
from casework.validation import id_check_digit
from documents.models import IssuerProfile
from integrations import inquiry_port
from integrations.models import ChannelKind, DepartmentChannel
from integrations.services.overdue import inquiries_overdue_sweep
from workflows import services
from workflows.case.drive import Clock, act


def flush_on_commit() -> None:
    """Run what would run after commit (process start, inquiry wait resumes), inside the
    caller's transaction: samples are driven in one transaction that is rolled back."""
    connection = transaction.get_connection()
    while connection.run_on_commit:
        pending, connection.run_on_commit = connection.run_on_commit, []
        for _sids, func, _robust in pending:
            func()


@dataclass
class Stage:
    """Where the demo cases happen: a branch, its organs, two departments, a clock."""

    branch: Organisation
    departments: list[Department]
    clock: Clock
    serial: int = 0
    colleagues: list[Member] = field(default_factory=list)

    @property
    def today(self) -> dt.date:
        return self.clock.today

    def later(self, days: int = 1) -> None:
        self.clock.advance(days=days)
        flush_on_commit()


def demo_id_number(birth: dt.date, n: int, gender: str) -> str:
    seq = (n % 90) * 10 + (1 if gender == Gender.MALE else 2)
    first17 = f"350102{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


PEOPLE = [
    # name, gender, birth, ethnicity, joined, employer, occupation
    (
        "王䶮",
        Gender.MALE,
        dt.date(1988, 3, 15),
        "汉族",
        dt.date(2010, 6, 28),
        "福州某科技有限公司",
        "软件工程师",
    ),
    (
        "吉𠮷",
        Gender.FEMALE,
        dt.date(1992, 7, 21),
        "畲族",
        dt.date(2014, 5, 4),
        "自主经营",
        "个体经营",
    ),
    (
        "陈思远",
        Gender.MALE,
        dt.date(1995, 1, 11),
        "汉族",
        dt.date(2018, 6, 30),
        "福建软件园某公司",
        "测试工程师",
    ),
    (
        "林晓燕",
        Gender.FEMALE,
        dt.date(1990, 9, 2),
        "汉族",
        dt.date(2012, 11, 20),
        "福州某医院",
        "护士",
    ),
    (
        "郑永福",
        Gender.MALE,
        dt.date(1985, 12, 8),
        "回族",
        dt.date(2008, 7, 1),
        "鼓楼区某社区",
        "网格员",
    ),
    (
        "黄子涵",
        Gender.FEMALE,
        dt.date(1999, 4, 16),
        "汉族",
        dt.date(2025, 6, 20),
        "福州某中学",
        "教师",
    ),
    (
        "吴国庆",
        Gender.MALE,
        dt.date(1978, 10, 1),
        "汉族",
        dt.date(2001, 7, 1),
        "福州某机械厂",
        "钳工",
    ),
    (
        "许春梅",
        Gender.FEMALE,
        dt.date(1983, 2, 27),
        "汉族",
        dt.date(2006, 12, 15),
        "自由职业",
        "设计师",
    ),
]


def lost_member(stage: Stage, index: int, *, probationary: bool = False) -> Member:
    name, gender, birth, ethnicity, joined, employer, occupation = PEOPLE[index % len(PEOPLE)]
    stage.serial += 1
    last = stage.today - dt.timedelta(days=200 + index)
    return member_create(
        organisation=stage.branch,
        name=name,
        gender=gender,
        id_number=demo_id_number(birth, stage.serial + 40, gender),
        birth_date=birth,
        ethnicity=ethnicity,
        join_date=joined,
        employer=employer,
        occupation=occupation,
        membership_type=MembershipType.PROBATIONARY if probationary else MembershipType.FULL,
        last_contact_date=last,
        last_org_life_date=last,
        dues_paid_until=last.replace(day=1),
        phone="13800138000",
        source="demo",
    )


def colleagues(stage: Stage) -> list[Member]:
    """Three full members of the branch: two talkers and a recorder."""
    if not stage.colleagues:
        for n, (name, gender) in enumerate(
            [("刘建文", Gender.MALE), ("郑秀霞", Gender.FEMALE), ("张明辉", Gender.MALE)]
        ):
            birth = dt.date(1975 + n, 5, 10)
            stage.colleagues.append(
                member_create(
                    organisation=stage.branch,
                    name=name,
                    gender=gender,
                    id_number=demo_id_number(birth, 80 + n, gender),
                    birth_date=birth,
                    join_date=dt.date(2000 + n, 7, 1),
                    last_contact_date=stage.today,
                    source="demo",
                )
            )
    return stage.colleagues


def opened(stage: Stage, member: Member) -> Case:
    officer = (
        RoleAssignment.objects.filter(
            organisation=stage.branch, role=Role.CONTACT_OFFICER, is_active=True
        )
        .order_by("-id")[0]
        .user
    )
    case = case_open(member=member, actor=officer, circumstance="1", reason="连续6个月未联系")
    flush_on_commit()
    return Case.objects.select_related("member", "organisation").get(pk=case.pk)


def fresh(case: Case) -> Case:
    return Case.objects.select_related("member", "organisation").get(pk=case.pk)


def step(stage: Stage, case: Case, node: str, data: dict[str, Any], days: int = 1) -> Case:
    act(case, node, data)
    flush_on_commit()
    stage.later(days)
    return fresh(case)


# ---- the search ---------------------------------------------------------------------------


def outreach_fails(stage: Stage, case: Case) -> Case:
    for channel in ("phone", "relative", "home_visit"):
        act(case, "outreach", {"action": "record", "channel": channel, "outcome": "no_answer"})
        stage.later(3)
    return step(stage, case, "outreach", {"action": "not_reachable", "notes": "多方联系未果"})


def inquiries_not_found(stage: Stage, case: Case, *, remind: bool = True) -> Case:
    """The coordinator asks two departments; one answers, the other is reminded, then
    answers: nothing found. The officer concludes the search."""
    case = step(
        stage, case, "request_inquiries", {"departments": [d.pk for d in stage.departments]}
    )
    for inquiry in Inquiry.objects.filter(case=case).order_by("pk"):
        inquiry_port.mark_sent(inquiry=inquiry, actor=None, at=stage.clock.now())
    first, *others = Inquiry.objects.filter(case=case).order_by("pk")
    inquiry_port.record_answer(
        inquiry=first, actor=None, answer="not_found", details={}, source="portal"
    )
    flush_on_commit()
    if remind and others:
        due = max(i.due_date for i in others if i.due_date)
        stage.clock.until(due + dt.timedelta(days=1))
        inquiries_overdue_sweep(as_of=stage.today)
        stage.later(3)
    for inquiry in others:
        inquiry.refresh_from_db()
        inquiry_port.record_answer(
            inquiry=inquiry, actor=None, answer="not_found", details={}, source="portal"
        )
    flush_on_commit()
    services.inquiry_wait_resume(case_id=case.pk)
    flush_on_commit()
    return step(
        stage, fresh(case), "conclude_search", {"conclusion": "not_located", "comment": "查找未果"}
    )


def located(stage: Stage, case: Case, cause: str, notes: str, content: str) -> Case:
    case = step(stage, case, "outreach", {"action": "located", "notes": "本人回电"}, days=2)
    a, b, recorder = colleagues(stage)
    case = step(
        stage,
        case,
        "talk",
        {
            "talker1": a.pk,
            "talker2": b.pk,
            "recorder": recorder.pk,
            "held_on": stage.today.isoformat(),
            "place": "党支部活动室",
            "content": content,
        },
    )
    return step(stage, case, "assess_cause", {"cause": cause, "notes": notes})


# ---- the decision path --------------------------------------------------------------------


@dataclass(frozen=True)
class Vote:
    voting: int = 9
    present: int = 8
    votes_for: int = 7
    against: int = 1
    abstain: int = 0


def decide(
    stage: Stage,
    case: Case,
    kind: str,
    grounds: list[str],
    reasons: str,
    *,
    defence: str = "",
    vote: Vote = Vote(),
    months: int | None = None,
    notice_how: str = "",
) -> Case:
    """Propose → pre-review(s) → notice → defence → meeting; then approval if it passed.
    A member who cannot be found is told through the family unless `notice_how` says
    otherwise (public_notice: the publication period runs before the defence period)."""
    data: dict[str, Any] = {"kind": kind, "grounds": grounds, "reasons": reasons}
    if months:
        data["correction_months"] = months
    case = step(stage, case, "propose", data)
    if kind == "withdrawal":  # 退党: no pre-review, no defence; the meeting files it
        return _meeting(stage, case, vote)
    case = step(stage, case, "pre_review", {"decision": "agree", "comment": ""})
    if kind in ("persuade", "remove"):
        case = step(
            stage,
            case,
            "pre_review",
            {"decision": "agree", "comment": "经审核，事实清楚，程序规范。"},
        )
    if kind == "restore":
        return step(stage, case, "approval", {"decision": "agree", "comment": ""})
    lost = case.located_at is None
    how = notice_how or ("family" if lost else "in_person")
    case = step(stage, case, "notice", {"notified_on": stage.today.isoformat(), "how": how})
    if how == "public_notice":
        stage.later(30)  # the publication period (rules: public_notice_days)
    if not defence:
        stage.later(8)  # the defence period runs out
    case = step(stage, case, "defence", {"defence_text": defence})
    case = _meeting(stage, case, vote)
    if case.status != "approval":
        return case
    case = step(stage, case, "approval", {"decision": "agree", "comment": ""})
    if kind == "correction":  # the period runs from service (送达)
        served = {"served_on": stage.today.isoformat(), "how": "in_person"}
        case = step(stage, case, "serve_decision", served)
    return case


def _meeting(stage: Stage, case: Case, vote: Vote) -> Case:
    return step(
        stage,
        case,
        "meeting",
        {
            "decision": "record",
            "held_on": stage.today.isoformat(),
            "place": "党员活动室",
            "voting_members": vote.voting,
            "present": vote.present,
            "votes_for": vote.votes_for,
            "votes_against": vote.against,
            "abstentions": vote.abstain,
        },
    )


def closed(stage: Stage, case: Case) -> Case:
    return step(stage, case, "close", {"comment": "决定已送达本人，材料归档"})


def prepare_stage(*, branch: Organisation, clock: Clock) -> Stage:
    """Configure what a real organisation configures before issuing: the branch's contact
    line, manual channels to two departments of its organisation department."""
    department_org = organisation_department(branch)
    IssuerProfile.objects.update_or_create(
        organisation=branch,
        defaults={"contact_person": "林晓东", "contact_phone": "0591-87654321"},
    )
    departments = []
    for kind, name in (
        (DepartmentKind.PUBLIC_SECURITY, "福州市公安局人口管理支队"),
        (DepartmentKind.SOCIAL_INSURANCE, "福州市社会保险中心"),
    ):
        department = Department.objects.filter(organisation=department_org, kind=kind).first()
        if department is None:
            department = Department.objects.create(
                organisation=department_org, kind=kind, name=name, answer_days=10
            )
        DepartmentChannel.objects.get_or_create(
            department=department, defaults={"kind": ChannelKind.MANUAL}
        )
        departments.append(department)
    return Stage(branch=branch, departments=departments, clock=clock)
