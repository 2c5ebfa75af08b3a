"""What the workflow layer registers with casework (from WorkflowsConfig.ready). The inquiry
letters for signed inquiries are the integrations layer's own (integrations.hooks).

- `start_processes_on_commit(case_ids)`: registered in casework.hooks.cases_opened; casework
  runs it after commit; it enqueues one Celery task (ids only) that starts the processes.
- `resume_waits(case_ids)`: registered in casework.hooks.inquiries_settled (run after an
  inquiry answer or closure commits, whatever the channel: liaison portal, webhook, email,
  coordinator); one Celery task per case (ids only) resumes the case's inquiry wait when it is
  over. The periodic sweep does the same for anything missed.
"""

from __future__ import annotations

from django.db import transaction


def start_processes_on_commit(case_ids: list[int]) -> None:
    from workflows.tasks import start_case_processes

    ids = list(case_ids)
    transaction.on_commit(lambda: start_case_processes.delay(ids))


def resume_waits(case_ids: list[int]) -> None:
    from workflows.tasks import resume_inquiry_wait

    for case_id in case_ids:
        resume_inquiry_wait.delay(case_id)
