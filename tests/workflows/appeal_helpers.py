"""The member appeals (申诉), for the no-stall machine: the rule and what the invariants read."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from casework.errors import DomainError
from casework.models import Appeal, AppealOutcome, Case, CaseStatus
from casework.services.cases.appeals import decision_in_force
from workflows import services


def member_appeals(pick: int, actor: Any, today: dt.date) -> bool:
    """A member whose decision is in force appeals against it; False when none may."""
    cases = [
        c
        for c in Case.objects.filter(status__in=[CaseStatus.IN_FORCE, CaseStatus.CLOSED])
        .select_related("member", "organisation")
        .order_by("pk")
        if decision_in_force(c) is not None
    ]
    if not cases:
        return False
    with contextlib.suppress(DomainError):
        services.appeal_file(
            case=cases[pick % len(cases)],
            actor=actor,
            grounds="本人对处置决定有异议",
            received_on=today,
        )
    return True


def revoked_decision_ids() -> set[int]:
    """Decisions revoked on appeal: the member's status before them came back."""
    return set(
        Appeal.objects.filter(outcome=AppealOutcome.REVOKED).values_list("decision_id", flat=True)
    )
