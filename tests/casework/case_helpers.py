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


# ---- pushing a case through its steps ------------------------------------------------------

import datetime as dt  # noqa: E402

from django.utils import timezone  # noqa: E402

from casework.models import Case, Member, MembershipType  # noqa: E402
from casework.services import cases as svc  # noqa: E402
from casework.services import inquiries as inq  # noqa: E402
from casework.services.ledgers import contact_attempt_record  # noqa: E402
from tests.factories import make_member  # noqa: E402


def talkers(world) -> tuple[Member, Member]:
    first = make_member(world.branch, name="谈话人甲", membership_type=MembershipType.FULL)
    second = make_member(world.branch, name="谈话人乙", membership_type=MembershipType.FULL)
    return first, second


def outreach(world, case: Case) -> Case:
    case = svc.case_start_outreach(case=case, actor=world.officer)
    for channel in ("phone", "relative", "home_visit"):
        contact_attempt_record(
            member=case.member,
            actor=world.officer,
            channel=channel,
            outcome="no_answer",
            case=case,
        )
    return case


def search_fails(world, case: Case) -> Case:
    case = outreach(world, case)
    case = svc.case_finish_outreach(case=case, actor=world.officer)
    department = make_department(world.department)
    (inquiry,) = inq.inquiry_request(case=case, departments=[department], actor=world.coordinator)
    inquiry = inq.inquiry_sign(inquiry=inquiry, actor=world.coordinator)
    inquiry = inq.inquiry_mark_sent(inquiry=inquiry, actor=world.coordinator)
    inq.inquiry_record_answer(
        inquiry=inquiry, actor=None, answer="not_found", details={}, source="manual"
    )
    return svc.case_mark_not_located(case=case, actor=world.officer)


def locate(world, case: Case) -> Case:
    case = outreach(world, case)
    return svc.case_mark_located(
        case=case,
        actor=world.officer,
        talkers=talkers(world),
        held_on=timezone.localdate(),
        content="本人说明外出务工期间更换了手机号码。",
    )


def decide(world, case: Case, kind: str, grounds: list[str] | None = None) -> Case:
    """Propose → pre-review(s) → notice and defence → meeting → approval: in force."""
    case = svc.case_propose(
        case=case, actor=world.officer, kind=kind, grounds=grounds, reasons="经支委会研究"
    )
    case = svc.case_pre_review(case=case, actor=world.approver, comment="同意")
    if case.status == "pre_review":
        case = svc.case_pre_review(case=case, actor=world.coordinator, comment="同意")
    if kind != "restore":
        case = svc.case_notify_member(
            case=case, actor=world.officer, notified_on=timezone.localdate(), how="family"
        )
        case = svc.case_close_defence(case=case, actor=world.officer, defence_text="无异议")
        case = svc.case_record_meeting(
            case=case,
            actor=world.secretary,
            held_on=timezone.localdate(),
            voting_members=9,
            present=7,
            votes_for=6,
            votes_against=1,
            abstentions=0,
        )
        case = svc.case_approve(case=case, actor=world.approver, comment="同意")
        if kind == "correction":  # the period runs from service (送达)
            how = "in_person" if case.located_at else "family"
            case = svc.case_record_service(
                case=case, actor=world.officer, served_on=timezone.localdate(), how=how
            )
        return case
    return svc.case_approve(case=case, actor=world.coordinator, comment="同意恢复")


def later(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)
