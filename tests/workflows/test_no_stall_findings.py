"""What the no-stall state machine (test_no_stall.py) found, each as a minimal case through
the flow's tasks. Fixed ones pass; open ones are strict xfails that name the issue."""

from __future__ import annotations

import pytest

from casework.models import ClockKind, MemberStatus
from casework.services import cases as svc
from tests.workflows.flow_helpers import open_case, open_nodes, step, today
from tests.workflows.test_queues import _to_in_force

pytestmark = pytest.mark.django_db


@pytest.mark.xfail(
    strict=True,
    reason=(
        "issue #16 bug 3: a case whose member applied for restoration is back in PROPOSAL, "
        "which case_withdraw treats as 'before a decision': withdrawing it (opened in error) "
        "closes the case with the suspension clock still set and no timer — the member stays "
        "suspended for ever and the two-year removal never fires"
    ),
)
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
    try:
        case = svc.case_withdraw(
            case=case, actor=world.secretary, reason_code="opened_in_error", reason="误立案"
        )
    except Exception:  # refused: the lawful outcome
        return
    case.refresh_from_db()
    case.member.refresh_from_db()
    # if it may be withdrawn, nothing of the decision may be left running or stuck
    assert case.clock_kind == ClockKind.NONE
    assert case.member.status != MemberStatus.SUSPENDED
