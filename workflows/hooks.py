"""What the workflow layer registers with casework (hooks) and with the outbox (handlers).

Hooks run inside the casework transaction that fires them (the inquiry letters for signed
inquiries are the integrations layer's own: integrations.hooks):
- `processes_start_enqueue(case_ids)` (casework.hooks.cases_opened): one outbox message
  (ids only) that starts the cases' processes in the worker.
- `inquiry_waits_resume_enqueue(case_ids)` (casework.hooks.inquiries_settled, whatever the
  channel of the answer: liaison portal, webhook, email, coordinator): one outbox message per
  case that resumes the case's inquiry wait when it is over. The periodic timer sweep does
  the same for anything missed.

Outbox handlers (`register_outbox_handlers`, from WorkflowsConfig.ready) run those messages.
"""

from __future__ import annotations

import logging
from typing import Any

from casework.outbox import outbox_enqueue
from integrations.outbox import Attempt, handler_register

log = logging.getLogger(__name__)

# Outbox kinds of the workflow layer.
CASE_PROCESSES_START = "case.processes_start"  # {"case_ids": [...]}
INQUIRY_WAIT_RESUME = "case.inquiry_wait_resume"  # {"case_id": ...}


def processes_start_enqueue(case_ids: list[int], actor: Any = None) -> None:
    outbox_enqueue(CASE_PROCESSES_START, {"case_ids": list(case_ids)})


def inquiry_waits_resume_enqueue(case_ids: list[int], actor: Any = None) -> None:
    for case_id in sorted(set(case_ids)):
        outbox_enqueue(INQUIRY_WAIT_RESUME, {"case_id": case_id})


def _start_processes(payload: dict[str, Any], attempt: Attempt) -> None:
    """Start the case flow for newly opened cases (idempotent: one process per case)."""
    from workflows.services.processes import process_start_for_case

    for case_id in payload["case_ids"]:
        process_start_for_case(case_id=case_id)


def _resume_wait(payload: dict[str, Any], attempt: Attempt) -> None:
    from workflows.services.waits import inquiry_wait_resume

    inquiry_wait_resume(case_id=payload["case_id"])


def register_outbox_handlers() -> None:
    from workflows.notify import TASK_NOTICE_EMAIL, task_notice_send

    # A detection night may open thousands of cases in one message: a long lease.
    handler_register(CASE_PROCESSES_START, _start_processes, lease_seconds=3600)
    handler_register(INQUIRY_WAIT_RESUME, _resume_wait)
    handler_register(TASK_NOTICE_EMAIL, task_notice_send)
