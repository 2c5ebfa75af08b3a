"""What the case page shows of appeals (申诉): the case's appeals, and whether one may be
received now (a decision in force that has none yet)."""

from __future__ import annotations

from dataclasses import dataclass

from casework.models import Appeal, Case, CaseStatus
from casework.models.cases import may_file_appeal
from casework.services.cases.appeals import APPEALABLE, decision_in_force


@dataclass(frozen=True)
class AppealPanel:
    appeals: list[Appeal]
    may_file: bool  # a decision in force, no appeal on it yet, and the user may receive one


def appeal_panel(*, case: Case, user: object) -> AppealPanel | None:
    """None when there is nothing to show (no appeal, none may be received)."""
    appeals = list(
        Appeal.objects.filter(case_id=case.pk)
        .select_related("decision", "organisation", "decided_by")
        .order_by("id")
    )
    may_file = False
    if case.status in (CaseStatus.IN_FORCE, CaseStatus.CLOSED) and may_file_appeal(case, user):
        decision = decision_in_force(case)
        may_file = (
            decision is not None
            and decision.kind in APPEALABLE
            and all(a.decision_id != decision.pk for a in appeals)
        )
    if not appeals and not may_file:
        return None
    return AppealPanel(appeals=appeals, may_file=may_file)
