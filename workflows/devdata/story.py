"""The demo story: demo cases driven through the real flow, so that every demo user has work.

After the register (casework.devdata.demo) the story adds a cast of members to one branch
(福州第一中学第一党支部), runs the lost-contact sweep (which opens their cases, and those of
the register's lost members), then moves each case through the same services and task forms
a user would: outreach attempts, inquiries requested, printed and answered, talks, proposals,
pre-reviews, notices, branch meetings, approvals and closes. Every task is completed by
`complete_step` — claim, then the step's form with a dict of form data — and nothing is
written to a row directly, so documents are issued and audited along the way.

Deterministic per seed (the cast's ID numbers and phones come from it; names are fixed so the
tour can name them), idempotent (a step runs only while its task is open), and the story's
tasks run in-process even when a broker is configured, so each case reaches its next step
at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from casework.devdata.demo import make_id_number
from casework.models import (
    Case,
    ContactAttempt,
    Department,
    DepartmentKind,
    Gender,
    Inquiry,
    InquiryStatus,
    KeyGroup,
    Member,
    MembershipType,
    Organisation,
)
from casework.services.detection import detect_lost_contact
from casework.services.ledgers import contact_attempt_record
from casework.services.members import id_number_index, member_create
from integrations.letters import LetterNotReady
from integrations.models import ChannelKind, DepartmentChannel
from integrations.services.answers import answer_record
from integrations.services.directory import channel_configure
from integrations.services.manual import print_queue_combine, print_queue_for_coordinator
from workflows import services
from workflows.models import OPEN_STATES, TaskDue

log = logging.getLogger(__name__)
BRANCH = "FZYZ-1"
STORY_SOURCE = "demo-story"


@dataclass(frozen=True)
class Person:
    """A member of the story's cast: days since the last contact, and what they are for."""

    name: str
    gender: str
    days: int
    role: str


# Lost contact (the sweep opens a case for each), then at risk, then two committee members
# who hold the talks. Keys name the part each plays in the story.
CAST: dict[str, Person] = {
    "claim": Person("林晓峰", Gender.MALE, 212, "outreach to claim"),
    "progress": Person("陈志远", Gender.MALE, 240, "outreach in progress"),
    "sign": Person("黄丽萍", Gender.FEMALE, 260, "inquiries to request and sign"),
    "liaison": Person("周建国", Gender.MALE, 300, "inquiry to answer"),
    "propose": Person("吴海燕", Gender.FEMALE, 320, "proposal to make"),
    "meeting": Person("郑国华", Gender.MALE, 230, "branch meeting to record"),
    "approval": Person("王秀英", Gender.FEMALE, 340, "approval waiting"),
    "suspended": Person("刘建军", Gender.MALE, 400, "suspension in force"),
    "correction": Person("孙美玲", Gender.FEMALE, 250, "correction running"),
    "restored": Person("赵文斌", Gender.MALE, 420, "restored member"),
    "located": Person("马晓东", Gender.MALE, 220, "located, back to normal"),
    "letter": Person("何俊", Gender.MALE, 280, "letter to print and send"),
    "risk1": Person("许静", Gender.FEMALE, 120, "at risk"),
    "risk2": Person("钱磊", Gender.MALE, 150, "at risk"),
    "talker1": Person("李志强", Gender.MALE, 5, "talker"),
    "talker2": Person("张慧", Gender.FEMALE, 12, "talker"),
}
LOST = [key for key, person in CAST.items() if person.days >= 200]


@dataclass
class StoryResult:
    cases: dict[str, Case] = field(default_factory=dict)  # cast key → its case
    members: dict[str, Member] = field(default_factory=dict)  # cast key → member
    steps: int = 0  # tasks completed (or attempts recorded) by this run
    opened: int = 0  # cases the sweep opened in this run


# ---- completing a task: the one place ---------------------------------------------------------


def complete_step(*, case: Case, node: str, user: Any, data: dict[str, Any]) -> str:
    """Claim the case's open `node` task when nobody holds it, then complete it as `user`
        with the step's form data (`workflows.services.task_complete_with_data`: the step's form
    validates it, its one casework service applies it). Every task of the story goes through
    here; "completed", or "recorded" for an attempt that keeps the outreach open."""
    due = _open_task(case, node)
    if due is None:
        raise ValueError(f"case {case.pk} has no open {node} task")
    if due.owner_id is None:
        services.task_claim(task_id=due.task_id, user=user)
    done = services.task_complete_with_data(task_id=due.task_id, user=user, data=data)
    return "completed" if done.completed else "recorded"


def _open_task(case: Case, node: str) -> TaskDue | None:
    return TaskDue.objects.filter(case_id=case.pk, node=node, state__in=OPEN_STATES).first()


# ---- the cast ------------------------------------------------------------------------------


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"


def _cast(seed: int, today: dt.date, officer: Any) -> dict[str, Member]:
    """The story's members in the branch (created once; found again by ID number)."""
    rng = random.Random(f"story-{seed}")
    branch = Organisation.objects.get(code=BRANCH)
    members: dict[str, Member] = {}
    for key, person in CAST.items():
        birth = dt.date(rng.randint(1965, 1998), rng.randint(1, 12), rng.randint(1, 28))
        number = make_id_number(rng, birth, person.gender)
        phone, relative_phone = _mobile(rng), _mobile(rng)
        street = rng.randint(1, 300)
        joined = dt.date(birth.year + 22, rng.randint(1, 12), rng.randint(1, 28))
        existing = Member.objects.filter(id_number_index=id_number_index(number)).first()
        if existing is not None:
            members[key] = existing
            continue
        last = today - dt.timedelta(days=person.days)
        members[key] = member_create(
            organisation=branch,
            name=person.name,
            gender=person.gender,
            id_number=number,
            source=STORY_SOURCE,
            phone=phone,
            residence=f"福州市鼓楼区五四路{street}号",
            occupation="教师" if person.days < 200 else "个体经营",
            employer="福州第一中学" if person.days < 200 else "自主经营",
            membership_type=MembershipType.FULL,
            join_date=joined,
            last_org_life_date=last,
            dues_paid_until=last.replace(day=1),
            last_contact_date=last,
            key_groups=KeyGroup.MIGRANT if person.days >= 200 else 0,
            is_mobile=person.days >= 200,
            file_location="所在单位人事部门",
            contact_officer=officer,
            relatives=[
                {"name": "家属", "relation": "配偶", "phone": relative_phone, "address": ""}
            ],
        )
    return members


# ---- the story ------------------------------------------------------------------------------


@contextmanager
def tasks_in_process() -> Iterator[None]:
    """Run Celery tasks at once in this process (as with no broker) for the story's length:
    the next step of a case needs the process started, the wait resumed, the letter rendered."""
    from settings.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    trace = logging.getLogger("celery.app.trace")  # "Task … succeeded", ~80 lines: not news
    level = trace.level
    trace.setLevel(logging.WARNING)
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = before
        trace.setLevel(level)


class Story:
    """The chapters, in the order a week of casework would bring them; each step runs only
    while its task is open, so a second telling changes nothing."""

    def __init__(self, *, seed: int, today: dt.date) -> None:
        users = get_user_model()._default_manager
        self.user = {u.get_username(): u for u in users.filter(username__in=USERNAMES)}
        missing = set(USERNAMES) - set(self.user)
        if missing:
            raise ValueError(f"run the register first (seed_demo); missing users {missing}")
        self.today = today
        self.result = StoryResult()
        self.result.members = _cast(seed, today, self.user["officer1"])
        dept = Organisation.objects.get(code="FZZZB")
        self.police = Department.objects.get(organisation=dept, kind=DepartmentKind.PUBLIC_SECURITY)
        self.social = Department.objects.get(
            organisation=dept, kind=DepartmentKind.SOCIAL_INSURANCE
        )

    # -- helpers --

    def case(self, key: str) -> Case:
        member = self.result.members[key]
        case = Case.objects.filter(member=member).order_by("pk").first()  # the story's own
        if case is None:
            raise ValueError(f"no case for {member.name} (the sweep should have opened it)")
        return case

    def step(self, key: str, node: str, username: str, **data: Any) -> None:
        """Complete `node` of the case of `key` as `username`, if that task is open."""
        case = self.case(key)
        if _open_task(case, node) is None:
            return
        complete_step(case=case, node=node, user=self.user[username], data=data)
        self.result.steps += 1

    def attempt(self, key: str, index: int, channel: str, outcome: str, notes: str = "") -> None:
        """The officer logs attempt number `index` (0-based) on the outreach task's form."""
        case = self.case(key)
        if _open_task(case, "outreach") is None:
            return
        if ContactAttempt.objects.filter(case_id=case.pk).count() != index:
            return
        self.step(
            key,
            "outreach",
            "officer1",
            action="record",
            channel=channel,
            outcome=outcome,
            notes=notes,
        )

    # -- chapters --

    def channels(self) -> None:
        """The departments receive inquiries as paper letters (print queue), the safe default."""
        for department in Department.objects.filter(organisation=self.police.organisation):
            if not DepartmentChannel.objects.filter(department=department).exists():
                channel_configure(
                    department=department,
                    actor=self.user["coordinator"],
                    kind=ChannelKind.MANUAL,
                    lookups=[],
                )

    def sweep(self) -> None:
        """The nightly lost-contact sweep, run now: it opens the cast's cases (and the
        register's lost members'); the flow starts for each."""
        self.result.opened = detect_lost_contact(as_of=self.today).opened
        for key in LOST:
            case = self.case(key)
            services.process_start_for_case(case_id=case.pk)  # idempotent
            self.result.cases[key] = case

    def outreach_fails(self, key: str) -> None:
        self.attempt(key, 0, "phone", "no_answer", "拨打手机无人接听")
        self.attempt(key, 1, "relative", "no_answer", "联系配偶，称不知去向")
        self.attempt(key, 2, "home_visit", "other", "上门走访，住所已出租")
        self.step(
            key,
            "outreach",
            "officer1",
            action="not_reachable",
            notes="电话、亲属、上门均未联系上，提请部门协查",
        )

    def located(self, key: str, cause: str) -> None:
        talkers = self.result.members["talker1"].pk, self.result.members["talker2"].pk
        self.attempt(key, 0, "phone", "reached", "本人接听，约定面谈")
        self.step(key, "outreach", "officer1", action="located", notes="已联系上本人")
        self.step(
            key,
            "talk",
            "officer1",
            talker1=talkers[0],
            talker2=talkers[1],
            held_on=self.today,
            place="党支部活动室",
            recorder=talkers[1],
            content="说明外出务工期间未与组织联系的情况，表示愿意接受组织处理。",
        )
        self.step(key, "assess_cause", "officer1", cause=cause, notes="经支委会研究认定")

    def inquiries(self, key: str, *departments: Department) -> None:
        self.step(key, "request_inquiries", "coordinator", departments=[d.pk for d in departments])

    def print_letters(self, *keys: str) -> None:
        """The coordinator prints the queued letters and posts them: the inquiries of `keys`
        are sent (once: not when their letters went out already)."""
        coordinator = self.user["coordinator"]
        cases = [self.case(key).pk for key in keys]
        waiting = Inquiry.objects.filter(case_id__in=cases, status=InquiryStatus.SIGNED)
        if waiting.exists() and print_queue_for_coordinator(user=coordinator).exists():
            try:
                print_queue_combine(user=coordinator)
            except LetterNotReady as exc:  # no PDF: documents cannot render (fonts missing?)
                log.warning(
                    "demo story: letter %s is not rendered, so it cannot be printed; the "
                    "cases waiting for inquiry answers stop here",
                    exc,
                )

    def police_answer_not_found(self, key: str) -> None:
        """The public-security liaison answers in the portal; the wait resumes."""
        case = self.case(key)
        inquiry = Inquiry.objects.filter(
            case_id=case.pk, department=self.police, status=InquiryStatus.SENT
        ).first()
        if inquiry is not None:
            answer_record(
                inquiry=inquiry,
                actor=self.user["liaison_gongan"],
                answer="not_found",
                details={"notes": "户籍系统未查到近期登记信息"},
                source="portal",
            )
        services.inquiry_wait_resume(case_id=case.pk)  # idempotent
        self.step(
            key, "conclude_search", "officer1", conclusion="not_located", comment="部门协查未查到"
        )

    def reappears(self, key: str) -> None:
        """The member gets in touch during the suspension: the contact is logged (the member
        panel's quick button) — it counts as contact, so the sweep will not reopen a case."""
        case = self.case(key)
        if _open_task(case, "restoration") is None:
            return
        if not ContactAttempt.objects.filter(case_id=case.pk, outcome="reached").exists():
            contact_attempt_record(
                member=case.member,
                actor=self.user["officer1"],
                channel="phone",
                outcome="reached",
                notes="本人来电，已返榕工作",
                case=case,
            )

    def propose(self, key: str, kind: str, grounds: list[str], months: int | None = None) -> None:
        data: dict[str, Any] = {"kind": kind, "grounds": grounds, "reasons": REASONS[kind]}
        if months:
            data["correction_months"] = months
        self.step(key, "propose", "secretary1", **data)

    def to_meeting(self, key: str) -> None:
        self.step(key, "pre_review", "approver_edu", decision="agree", comment="同意，按程序办理")
        self.step(key, "notice", "officer1", notified_on=self.today, how="family")
        self.step(key, "defence", "officer1", defence_text="本人委托亲属书面回复：无异议")

    def meeting(self, key: str) -> None:
        self.step(
            key,
            "meeting",
            "secretary1",
            decision="record",
            held_on=self.today,
            place="党员活动室",
            voting_members=9,
            present=8,
            votes_for=7,
            votes_against=0,
            abstentions=1,
        )

    def approve(self, key: str, username: str) -> None:
        self.step(key, "approval", username, decision="agree", comment="同意")

    def tell(self) -> StoryResult:
        self.channels()
        self.sweep()
        # officer1: one outreach in progress (claimed, two attempts), one left to claim
        self.attempt("progress", 0, "phone", "no_answer", "工作日上午拨打，无人接听")
        self.attempt("progress", 1, "wechat", "no_answer", "微信留言未回复")
        # outreach exhausted: the cases ask the organisation department for inquiries
        for key in ("sign", "liaison", "propose", "approval", "suspended", "restored", "letter"):
            self.outreach_fails(key)
        self.inquiries("liaison", self.police, self.social)
        for key in ("propose", "approval", "suspended", "restored"):
            self.inquiries(key, self.police)
        self.print_letters("liaison", "propose", "approval", "suspended", "restored")
        for key in ("propose", "approval", "suspended", "restored"):
            self.police_answer_not_found(key)
        # contact regained: talk, cause assessed
        for key, cause in (("meeting", "subjective"), ("correction", "subjective")):
            self.located(key, cause)
        self.located("located", "objective")
        # the branch committee proposes; the committee pre-reviews; notice and defence
        self.propose("meeting", "correction", ["slack_work"], 6)
        self.propose("correction", "correction", ["lax_discipline"], 3)
        for key in ("approval", "suspended", "restored"):
            self.propose(key, "suspend", [])
        for key in ("meeting", "correction", "approval", "suspended", "restored"):
            self.to_meeting(key)
        for key in ("correction", "approval", "suspended", "restored"):
            self.meeting(key)
        # the committee approves (the proposer and the meeting's recorder may not)
        self.approve("located", "approver_edu2")
        self.step("located", "close", "officer1", comment="恢复正常管理，归档")
        self.approve("correction", "approver_edu2")
        # the decision is served on the member: the correction period runs from that day
        self.step("correction", "serve_decision", "officer1", served_on=self.today, how="in_person")
        for key in ("suspended", "restored"):
            self.approve(key, "approver_edu")
        # a suspended member reappears (the officer logs the contact) and is restored
        self.reappears("restored")
        self.step(
            "restored",
            "restoration",
            "officer1",
            applied_on=self.today,
            application="本人返榕后主动联系支部，申请恢复党籍。",
        )
        self.propose("restored", "restore", [])
        self.step("restored", "pre_review", "approver_edu", decision="agree", comment="同意")
        self.approve("restored", "coordinator")
        self.step("restored", "close", "officer1", comment="已恢复党籍，归档")
        # a letter requested after the last printing waits in the print queue
        self.inquiries("letter", self.police)
        for key in LOST:
            self.result.cases[key] = self.case(key)
        return self.result


USERNAMES = (
    "officer1",
    "secretary1",
    "coordinator",
    "approver_edu",
    "approver_edu2",
    "liaison_gongan",
)
REASONS = {
    "suspend": "该同志失联已逾六个月，经联系查找和部门协查仍未找到，拟停止其党籍。",
    "correction": "该同志长期不参加组织生活、不交纳党费，经谈话本人认识到错误，拟限期改正。",
    "restore": "该同志停止党籍期间主动与组织取得联系，经支部考察，拟恢复其党籍。",
}


def tell_story(*, seed: int = 2026, today: dt.date | None = None) -> StoryResult:
    """Drive the demo cases (see the module docstring); safe to run again."""
    with tasks_in_process():
        return Story(seed=seed, today=today or timezone.localdate()).tell()
