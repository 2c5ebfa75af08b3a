"""What the no-stall state machine (test_no_stall.py) found, each as a minimal case through
the flow's tasks. Fixed ones pass; open ones are strict xfails that name the issue.

- Withdrawing a case while its suspension is in force (the member applied for restoration, so
  the case was back in PROPOSAL) closed it with the clock set and no timer: issue #16 bug 3,
  fixed — the withdrawal is refused (`decision_in_force`)."""

from __future__ import annotations

import pytest

from casework.errors import DomainError
from casework.models import ClockKind, MemberStatus
from casework.services import cases as svc
from tests.workflows.flow_helpers import open_case, open_nodes, step, today
from tests.workflows.test_queues import _to_in_force

pytestmark = pytest.mark.django_db


def test_a_case_with_a_suspension_in_force_cannot_be_withdrawn_leaving_the_member_suspended(
    world, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = _to_in_force(world, case, "suspend")
    assert case.clock_kind == ClockKind.SUSPENSION and open_nodes(case) == [
        "restoration",
        "restoration__timeout",
    ]
    case = step(case, "restoration", world.officer, applied_on=today(), application="本人申请")
    assert open_nodes(case) == ["propose"]
    with pytest.raises(DomainError) as refused:
        svc.case_withdraw(
            case=case, actor=world.secretary, reason_code="opened_in_error", reason="误立案"
        )
    assert refused.value.code == "decision_in_force"
    case.refresh_from_db()
    case.member.refresh_from_db()
    # refused and nothing changed: the suspension and its clock still run
    assert case.clock_kind == ClockKind.SUSPENSION
    assert case.member.status == MemberStatus.SUSPENDED
