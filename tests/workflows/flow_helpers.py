"""Drive the case flow through its tasks, with the data each step's form takes."""

from __future__ import annotations

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


def step(case: Case, node: str, user: Any, **data: Any) -> Case:
    """Claim (when needed) and complete the open `node` task as `user` with the data its form
    takes (as the task page would post it): the one path of the task page and the API."""
    due = open_task(case, node)
    if due.owner_id is None:
        services.task_claim(task_id=due.task_id, user=user)
    return services.task_complete_with_data(task_id=due.task_id, user=user, data=data).case


def today() -> Any:
    return timezone.localdate()


def notice_and_defence(world: Any, case: Case) -> Case:
    """The officer notifies the member and closes the defence: the case is at the meeting."""
    case = step(case, "notice", world.officer, notified_on=today(), how="family")
    return step(case, "defence", world.officer, defence_text="无异议")


def propose_to_meeting(
    world: Any, case: Case, kind: str = "suspend", grounds: list[str] | None = None
) -> Case:
    """The secretary proposes, the committee pre-reviews, then notice and defence."""
    case = step(
        case, "propose", world.secretary, kind=kind, grounds=grounds or [], reasons="经支委会研究"
    )
    case = step(case, "pre_review", world.approver, decision="agree")
    return notice_and_defence(world, case)


def outreach_fails(world: Any, case: Case) -> Case:
    """Three unanswered attempts over three channels, then the outreach step finishes: the
    case asks for inquiries."""
    for channel in ("phone", "relative", "home_visit"):
        contact_attempt_record(
            member=case.member, actor=world.officer, channel=channel, outcome="no_answer", case=case
        )
    return step(case, "outreach", world.officer, action="not_reachable")


def locate_and_assess(world: Any, case: Case, cause: str = "subjective") -> Case:
    """Outreach finds the member, two full members hold the talk, the cause is assessed."""
    from tests.casework.case_helpers import talkers

    case = step(case, "outreach", world.officer, action="located")
    a, b = talkers(world)
    case = step(
        case,
        "talk",
        world.officer,
        talker1=a.pk,
        talker2=b.pk,
        held_on=today(),
        content="谈话",
        place="党支部活动室",
        recorder=b.pk,
    )
    return step(case, "assess_cause", world.officer, cause=cause)


def seat_holder(due: TaskDue, exclude: tuple[Any, ...] = ()) -> Any:
    """A user holding the task's seat (its role, at its organisation or above), picked by
    role — never "whoever did it last"."""
    from casework.models import RoleAssignment

    ids = [int(part) for part in due.role_path.strip("/").split("/") if part]
    assignment = (
        RoleAssignment.objects.filter(role=due.role, organisation_id__in=ids, is_active=True)
        .exclude(user_id__in=[user.pk for user in exclude])
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    assert assignment is not None, f"nobody holds the seat of {due.node}"
    return assignment.user


def step_by_seat(case: Case, node: str, **data: Any) -> Case:
    """Complete the open `node` task as a user picked by the task's seat."""
    return step(case, node, seat_holder(open_task(case, node)), **data)
