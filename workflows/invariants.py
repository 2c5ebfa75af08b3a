"""Checks used by tests and the admin: the flow's open tasks match the case status."""

from __future__ import annotations

from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from casework.models import Case, CaseStatus

S = CaseStatus
NODE_STATUSES: dict[str, set[str]] = {
    "outreach": {S.REGISTERED, S.OUTREACH},
    "talk": {S.REGISTERED, S.OUTREACH, S.INQUIRY},
    "request_inquiries": {S.INQUIRY},
    "wait_inquiries": {S.INQUIRY},
    "assess_clues": {S.INQUIRY},
    "conclude_search": {S.INQUIRY},
    "assess_cause": {S.LOCATED},
    "propose": {S.NOT_LOCATED, S.PROPOSAL},
    "pre_review": {S.PRE_REVIEW},
    "notice": {S.DEFENCE},
    "defence": {S.DEFENCE},
    "meeting": {S.MEETING},
    "approval": {S.APPROVAL},
    "close": {S.IN_FORCE},
    "correction_wait": {S.IN_FORCE},
    "correction_review": {S.IN_FORCE},
    "restoration": {S.IN_FORCE},
    "restoration__timeout": {S.IN_FORCE},
}


def steps_match_status(status: str, nodes: list[str]) -> bool:
    """An open case has exactly one open step (plus a boundary timer) allowed for its status;
    a closed case has none."""
    if status in (S.CLOSED, S.WITHDRAWN):
        return not nodes
    steps = [n for n in nodes if not n.endswith("__timeout")]
    return len(steps) == 1 and all(status in NODE_STATUSES.get(n, set()) for n in nodes)


def open_tasks_match_status(case_id: int) -> bool:
    status = Case.objects.values_list("status", flat=True).get(pk=case_id)
    nodes = [
        t.flow_task.name
        for t in Task.objects.filter(process__caseprocess__case_id=case_id).exclude(
            status__in=[STATUS.DONE, STATUS.CANCELED, STATUS.REVIVED]
        )
    ]
    return steps_match_status(status, nodes)
