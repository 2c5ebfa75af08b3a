"""What the workflow layer registers with casework, and what callers of inquiry services call.

- `start_processes_on_commit(case_ids)`: registered in casework.hooks.cases_opened; casework
  runs it after commit; it enqueues one Celery task (ids only) that starts the processes.
- `letters_for_signed(inquiry_ids, actor)`: registered in casework.hooks.inquiries_signed;
  inside the signing transaction, one inquiry letter per department through the integrations
  delivery service (numbered there, sent after commit). A department without a delivery
  channel (or a tree that cannot number documents) keeps its inquiries signed: the
  coordinator's letters page batches them later.
- `resume_waits(case_ids)`: registered in casework.hooks.inquiries_settled (run after an
  inquiry answer or closure commits, whatever the channel: liaison portal, webhook, email,
  coordinator); one Celery task per case (ids only) resumes the case's inquiry wait when it is
  over. The periodic sweep does the same for anything missed.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from casework.errors import DomainError

log = logging.getLogger(__name__)


def start_processes_on_commit(case_ids: list[int]) -> None:
    from workflows.tasks import start_case_processes

    ids = list(case_ids)
    transaction.on_commit(lambda: start_case_processes.delay(ids))


def resume_waits(case_ids: list[int]) -> None:
    from workflows.tasks import resume_inquiry_wait

    for case_id in case_ids:
        resume_inquiry_wait.delay(case_id)


def letters_for_signed(inquiry_ids: list[int], actor: Any = None) -> None:
    from casework.models import Inquiry, InquiryStatus
    from integrations.services.delivery import letter_create

    batches: dict[Any, list[Inquiry]] = {}
    for inquiry in (
        Inquiry.objects.filter(pk__in=inquiry_ids, status=InquiryStatus.SIGNED)
        .select_related("department")
        .order_by("pk")
    ):
        batches.setdefault(inquiry.department, []).append(inquiry)
    for department, inquiries in batches.items():
        try:
            letter_create(department=department, actor=actor, inquiries=inquiries)
        except DomainError as exc:
            log.info(
                "inquiries %s signed without a letter (%s); left for the letters page",
                [i.pk for i in inquiries],
                exc.code,
            )
