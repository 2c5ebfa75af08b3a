"""Drive the case flow through its services like the task views do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone
from viewflow.workflow.status import STATUS

from casework.models import Case
from casework.services import cases as svc
from casework.services.ledgers import contact_attempt_record
from tests.factories import make_member
from workflows import services
from workflows.models import CaseProcess, TaskDue


def open_case(world: Any, django_capture_on_commit_callbacks: Any, **member_kw: Any) -> Case:
    member = make_member(world.branch, **member_kw)
    with django_capture_on_commit_callbacks(execute=True):
        case = svc.case_open(member=member, actor=world.officer, circumstance="1")
    assert CaseProcess.objects.filter(case=case).exists()
    return case


def open_nodes(case: Case) -> list[str]:
    from viewflow.workflow.models import Task

    return sorted(
        t.flow_task.name
        for t in Task.objects.filter(process__caseprocess__case=case).exclude(
            status__in=[STATUS.DONE, STATUS.CANCELED]
        )
    )


def open_task(case: Case, node: str) -> TaskDue:
    return TaskDue.objects.get(case=case, node=node, state__in=["open", "assigned"])


def step(
    case: Case,
    node: str,
    user: Any,
    perform: Callable[[Case], Case | None],
    route: str | None = None,
    step_name: str | None = None,
) -> Case:
    """Claim (when needed) and complete the open `node` task as `user`."""
    due = open_task(case, node)
    if due.owner_id is None:
        services.task_claim(task_id=due.task_id, user=user)

    def run(c: Case) -> Case:
        return perform(c) or Case.objects.select_related("member", "organisation").get(pk=c.pk)

    return services.task_complete(
        task_id=due.task_id, user=user, perform=run, route=route, step=step_name
    )


def today() -> Any:
    return timezone.localdate()


def notice_and_defence(world: Any, case: Case) -> Case:
    """The officer notifies the member and closes the defence: the case is at the meeting."""
    case = step(
        case,
        "notice",
        world.officer,
        lambda c: svc.case_notify_member(case=c, actor=world.officer, notified_on=today()),
    )
    return step(
        case,
        "defence",
        world.officer,
        lambda c: svc.case_close_defence(case=c, actor=world.officer, defence_text="无异议"),
    )


def propose_to_meeting(
    world: Any, case: Case, kind: str = "suspend", grounds: list[str] | None = None
) -> Case:
    """The secretary proposes, the committee pre-reviews, then notice and defence."""
    case = step(
        case,
        "propose",
        world.secretary,
        lambda c: svc.case_propose(
            case=c, actor=world.secretary, kind=kind, grounds=grounds, reasons="经支委会研究"
        ),
    )
    case = step(
        case,
        "pre_review",
        world.approver,
        lambda c: svc.case_pre_review(case=c, actor=world.approver),
    )
    return notice_and_defence(world, case)


def outreach_fails(world: Any, case: Case) -> Case:
    """Three unanswered attempts over three channels, then the outreach step finishes: the
    case asks for inquiries."""
    for channel in ("phone", "relative", "home_visit"):
        contact_attempt_record(
            member=case.member, actor=world.officer, channel=channel, outcome="no_answer", case=case
        )
    return step(
        case,
        "outreach",
        world.officer,
        lambda c: svc.case_finish_outreach(
            case=svc.case_start_outreach(case=c, actor=world.officer), actor=world.officer
        ),
    )


def locate_and_assess(world: Any, case: Case, cause: str = "subjective") -> Case:
    """Outreach finds the member, two full members hold the talk, the cause is assessed."""
    from tests.casework.case_helpers import talkers

    case = step(case, "outreach", world.officer, lambda c: c, route="talk", step_name="none")
    a, b = talkers(world)
    case = step(
        case,
        "talk",
        world.officer,
        lambda c: svc.case_mark_located(
            case=c,
            actor=world.officer,
            talkers=(a, b),
            held_on=today(),
            content="谈话",
            place="党支部活动室",
            recorder=b,
        ),
    )
    return step(
        case,
        "assess_cause",
        world.officer,
        lambda c: svc.case_assess_cause(case=c, actor=world.officer, cause=cause),
    )
