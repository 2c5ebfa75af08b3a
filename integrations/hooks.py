"""What the integrations layer registers with casework (from IntegrationsConfig.ready).

- `letters_for_signed(inquiry_ids, actor)`: registered in casework.hooks.inquiries_signed;
  inside the signing transaction, one inquiry letter per department through the delivery
  service (numbered there, sent after commit). A department without a delivery channel (or a
  tree that cannot number documents) keeps its inquiries signed: the coordinator's letters
  page batches them later.
"""

from __future__ import annotations

import logging
from typing import Any

from casework.errors import DomainError

log = logging.getLogger(__name__)


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
