"""What the no-stall state machine (test_no_stall.py) found, each as a minimal case through
the flow's tasks. Fixed ones pass; open ones are strict xfails that name the issue.

- Withdrawing a case while its suspension is in force (the member applied for restoration, so
  the case was back in PROPOSAL) closed it with the clock set and no timer: issue #16 bug 3,
  fixed — the withdrawal is refused (`decision_in_force`).
- A found member's case whose return to normal the committee refused (不予批准, back to the
  branch) left every kind open: the branch could propose 停止党籍 for a member it had just
  talked to, and the committee's "agree" was then refused for a missing fact (联系查找经过 —
  the decision says the member is still unreachable after a search that found them). Fixed
  at the proposal: a found member cannot be proposed for suspension or on the ground of lost
  contact (`member_located`)."""

from __future__ import annotations

import pytest

from casework.errors import DomainError
from casework.models import CaseStatus, ClockKind, Decision, MemberStatus
from casework.services import cases as svc
from documents.kinds import DocumentKind as K
from tests.workflows.flow_helpers import locate_and_assess, open_case, open_nodes, step, today
from tests.workflows.route_helpers import act, approve, kinds, to_approval
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


def test_a_found_member_refused_back_to_normal_cannot_be_suspended_and_the_approval_issues(
    world, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    case = locate_and_assess(world, case, cause="objective")
    assert open_nodes(case) == ["approval"]
    case = approve(case, world, decision="refuse", then="branch", comment="原因认定不充分")
    assert case.status == CaseStatus.PROPOSAL and open_nodes(case) == ["propose"]
    # 停止党籍, or any kind on the ground of lost contact, would record a false fact
    for kind, grounds in (("suspend", []), ("correction", ["lost_contact", "slack_work"])):
        with pytest.raises(DomainError) as refused:
            act(case, "propose", kind=kind, grounds=grounds, reasons="经支委会研究")
        assert refused.value.code == "member_located"
    case.refresh_from_db()
    assert case.status == CaseStatus.PROPOSAL and open_nodes(case) == ["propose"]
    # a lawful proposal goes on, and the committee's agreement issues its documents
    case = to_approval(world, case, "correction", grounds=["slack_work"])
    case = approve(case, world, decision="agree", comment="")
    assert case.status == CaseStatus.IN_FORCE
    assert Decision.objects.filter(case=case, kind="correction").exists()
    assert K.DECISION_CORRECTION in kinds(case) and K.REPLY in kinds(case)
