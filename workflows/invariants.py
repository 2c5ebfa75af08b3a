"""The flow's open tasks match the case status: used when the flow follows a case changed
outside it, by the tests and by the admin. Which statuses a node may be open in is declared
with the node (the steps table, and `.OpenIn(...)` for waits and timers); a boundary timer
shares its host's."""

from __future__ import annotations

from functools import cache

from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from casework.models import CLOSED_STATUSES, Case


@cache
def node_statuses() -> dict[str, frozenset[str]]:
    """{node name: the case statuses its task may be open in} for every node of the flow."""
    from workflows.case.flows import CaseFlow

    out: dict[str, frozenset[str]] = {}
    for node in CaseFlow.instance.nodes():
        host = getattr(node, "_attached_to", None)
        statuses: frozenset[str] = getattr(
            host if host is not None else node, "statuses", frozenset()
        )
        if statuses:
            out[node.name] = statuses
    return out


def steps_match_status(status: str, nodes: list[str]) -> bool:
    """An open case has exactly one open step (plus a boundary timer) allowed for its status;
    a closed case has none. Side steps (an appeal) are open beside them, in their own
    statuses."""
    from workflows.case.steps import SIDE_STEPS

    allowed = node_statuses()
    side = [n for n in nodes if n in SIDE_STEPS]
    if not all(status in allowed.get(n, frozenset()) for n in side):
        return False
    nodes = [n for n in nodes if n not in SIDE_STEPS]
    if status in CLOSED_STATUSES:
        return not nodes
    steps = [n for n in nodes if not n.endswith("__timeout")]
    return len(steps) == 1 and all(status in allowed.get(n, frozenset()) for n in nodes)


def open_tasks_match_status(case_id: int) -> bool:
    status = Case.objects.values_list("status", flat=True).get(pk=case_id)
    nodes = [
        t.flow_task.name
        for t in Task.objects.filter(process__caseprocess__case_id=case_id).exclude(
            status__in=[STATUS.DONE, STATUS.CANCELED, STATUS.REVIVED]
        )
    ]
    return steps_match_status(status, nodes)
