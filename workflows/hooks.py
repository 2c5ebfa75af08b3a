"""What the workflow layer registers with casework, and what callers of inquiry services call.

- `start_processes_on_commit(case_ids)`: registered in casework.hooks.cases_opened; casework
  runs it after commit; it enqueues one Celery task (ids only) that starts the processes.
- `inquiries_changed(case_id)`: call it after an inquiry answer / closure commits (web views,
  integrations channels, webhooks); it resumes the case's inquiry wait when the wait is over.
  The periodic sweep does the same for anything missed.
"""

from __future__ import annotations

from django.db import transaction


def start_processes_on_commit(case_ids: list[int]) -> None:
    from workflows.tasks import start_case_processes

    ids = list(case_ids)
    transaction.on_commit(lambda: start_case_processes.delay(ids))


def inquiries_changed(case_id: int) -> None:
    from workflows.tasks import resume_inquiry_wait

    transaction.on_commit(lambda: resume_inquiry_wait.delay(case_id))
