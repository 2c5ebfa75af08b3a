"""Which formal documents each step of the case flow issues. The documents themselves — their
facts, organs and numbers — come from documents.issuing; this module only chooses the kinds.

Inquiry letters and reminders are batched by the integrations layer and not issued here.
Documents are numbered inside the step's transaction and rendered after commit; a fact the
text needs and the case lacks refuses the step with a message naming it (MissingFact).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from casework.errors import DomainError
from casework.models import Case, CaseStatus, PreReview, ProposalKind, ReviewLevel
from documents.facts import DECISION_OF
from documents.issuing import case_documents_issue
from documents.kinds import DocumentKind as K
from documents.models import Document

logger = logging.getLogger(__name__)
P = ProposalKind


def _proposal_kind(case: Case) -> str | None:
    proposal = case.current_proposal if case.current_proposal_id is not None else None
    return proposal.kind if proposal is not None else None


def _department_reviewed_now(case: Case) -> bool:
    latest = (
        PreReview.objects.filter(proposal_id=case.current_proposal_id or 0, is_current=True)
        .order_by("-id")
        .values_list("level", flat=True)
        .first()
    )
    return latest == ReviewLevel.DEPARTMENT


def step_documents(step: str, case: Case) -> list[tuple[str, dict[str, Any]]]:
    """(kind, builder parameters) a completed step issues for this case, in order."""
    kind = _proposal_kind(case)
    served = {"served_kind": ""}
    if step == "open":
        return [(K.REGISTER_FORM, {})]
    if step == "talk":
        return [(K.TALK_RECORD, {})]
    if step == "assess_cause" and case.status == CaseStatus.APPROVAL:
        return [(K.REQUEST, {})]  # objective cause: the branch asks to restore normal management
    if step == "propose":
        return [(K.RESTORATION_FORM if kind == P.RESTORE else K.APPROVAL_FORM, {})]
    if step == "pre_review" and _department_reviewed_now(case):
        return [(K.PRE_REVIEW_OPINION, {})]
    if step == "notice" and kind != P.WITHDRAWAL:
        served["served_kind"] = K.DEFENCE_NOTICE
        return [(K.DEFENCE_NOTICE, {}), (K.DELIVERY_RECEIPT, served)]
    if step == "meeting":
        if case.status != CaseStatus.APPROVAL:  # the vote failed: a resolution that says so
            return [(K.MEETING_RESOLUTION, {})]
        upward = K.FILING_REPORT if kind == P.WITHDRAWAL else K.REQUEST
        return [(K.MEETING_RESOLUTION, {}), (upward, {})]
    if step == "approval" and case.status == CaseStatus.IN_FORCE:
        if kind == P.RETURN_TO_NORMAL:
            return [(K.REPLY, {})]
        if kind == P.WITHDRAWAL:
            return []  # filed (备案), no reply
        decision = DECISION_OF[P(kind or "")]
        served["served_kind"] = decision
        replies: list[tuple[str, dict[str, Any]]] = [] if kind == P.RESTORE else [(K.REPLY, {})]
        return [*replies, (decision, {}), (K.DELIVERY_RECEIPT, served)]
    if step == "correction_review":
        closing: list[tuple[str, dict[str, Any]]] = (
            [(K.DOSSIER, {})] if case.status == CaseStatus.CLOSED else []
        )
        return [(K.CORRECTION_REVIEW, {}), *closing]
    if step == "close":
        return [(K.DOSSIER, {})]
    return []


def issue_step_documents(
    *, step: str, case: Case, actor: AbstractBaseUser | None
) -> list[Document]:
    """Issue the documents of `step`, in the caller's transaction."""
    chosen = step_documents(step, case)
    if not chosen:
        return []
    try:
        return case_documents_issue(
            kinds=[kind for kind, _ in chosen],
            case=case,
            actor=actor,
            params={kind: params for kind, params in chosen if params},
        )
    except DomainError as exc:
        if exc.code not in ("no_approving_org", "no_department", "no_doc_code"):
            raise
        # A tree without 机关代字, approving committee or organisation department is a
        # configuration gap; the case must still move. Say so loudly (ids only).
        logger.warning(
            "case %s step %s: no issuing organisation configured (%s), documents not issued",
            case.pk,
            step,
            exc.code,
        )
        return []
