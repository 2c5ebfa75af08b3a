"""The inquiry wait: the case's `wait_inquiries` task resumes when the departments' answers
are in (or a clue awaits the officer), after commit or from the periodic sweep."""

from __future__ import annotations

from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from casework.caserules import inquiry_wait_interrupted
from casework.models import Case
from workflows.services.processes import case_flow


def inquiry_wait_resume(*, case_id: int) -> bool:
    """Resume the case's `wait_inquiries` task when its wait is over (all inquiries settled,
    or one located the member) or a clue came in for the officer to assess. Called after
    commit by whoever changed an inquiry, and by the periodic sweep; returns whether it
    resumed."""
    flow_class = case_flow()
    task = (
        Task.objects.filter(
            process__caseprocess__case_id=case_id,
            flow_task=flow_class.wait_inquiries,
            status=STATUS.NEW,
        )
        .select_related("process")
        .first()
    )
    if task is None:
        return False
    case = Case.objects.get(pk=case_id)
    if not inquiry_wait_interrupted(case):
        return False
    try:
        flow_class.wait_inquiries.run(task)
    except (FlowLockFailed, TransitionNotAllowed):
        # busy, or resumed meanwhile by a concurrent answer (the task is re-read under the
        # lock and is no longer waiting): either way someone else moves it on
        return False
    return True


def inquiry_waits_sweep() -> int:
    """Resume every waiting case whose inquiries are over (safety net for missed hooks)."""
    flow_class = case_flow()
    case_ids = Task.objects.filter(
        flow_task=flow_class.wait_inquiries, status=STATUS.NEW
    ).values_list("process__caseprocess__case_id", flat=True)
    return sum(inquiry_wait_resume(case_id=cid) for cid in list(case_ids))
