"""Workflow writes, by concern (each module says what it holds):

- `tasks`: complete a human task (`task_complete`, `task_complete_with_data`, `task_form`).
- `queue`: claim, release, reassign, bulk reassign.
- `processes`: start a case's process; its open tasks follow the case (`case_flow_follow`).
- `waits`: resume the inquiry wait.
- `deadlines`: reminders and escalation.
- `appeals`: an appeal received becomes the higher organ's review task (`appeal_file`).

Business rules stay in casework: a step's `apply` calls exactly one casework service.
"""

from workflows.services.appeals import appeal_file
from workflows.services.deadlines import task_deadlines_sweep
from workflows.services.processes import (
    case_flow_follow,
    closed_case_tasks_sweep,
    process_start_for_case,
)
from workflows.services.queue import task_claim, task_reassign, task_release, tasks_bulk_reassign
from workflows.services.tasks import (
    StepDone,
    task_complete,
    task_complete_with_data,
    task_form,
    task_step,
)
from workflows.services.waits import inquiry_wait_resume, inquiry_waits_sweep

__all__ = [
    "StepDone",
    "appeal_file",
    "case_flow_follow",
    "closed_case_tasks_sweep",
    "inquiry_wait_resume",
    "inquiry_waits_sweep",
    "process_start_for_case",
    "task_claim",
    "task_complete",
    "task_complete_with_data",
    "task_deadlines_sweep",
    "task_form",
    "task_reassign",
    "task_release",
    "task_step",
    "tasks_bulk_reassign",
]
