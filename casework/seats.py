"""Who may act on a case at each step: a seat is a role held at an organisation.

Decided once, here, from the case and its rules; the flow asks these functions who may claim
a task and the services ask them who may decide. A user holds a seat when they hold its role
at its organisation or above it (the group queues' rule). Reads only, no writes.
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from casework.errors import DomainError
from casework.models import (
    Appeal,
    AppealOutcome,
    Case,
    Organisation,
    OrgKind,
    PreReview,
    Proposal,
    ProposalKind,
    ReviewLevel,
    Role,
    RoleAssignment,
)


class Seat(NamedTuple):
    role: str
    organisation: Organisation


# ---- the organisation tree above a case ----------------------------------------------------


def organisation_ancestors(org: Organisation) -> list[Organisation]:
    """The organisation and its ancestors, nearest first: one query, then kept on the
    instance (a step asks several times: approving committee, issuer, the next task's seat)."""
    cached: list[Organisation] | None = getattr(org, "_ancestors_cache", None)
    if cached is None:
        ids = [int(part) for part in org.path.strip("/").split("/") if part]
        # with each one's issuer profile (documents: numbers and print facts of what it issues)
        rows = Organisation.objects.filter(pk__in=ids).select_related("issuer_profile")
        found = {o.pk: o for o in rows}
        cached = [found[i] for i in reversed(ids) if i in found]
        org.__dict__["_ancestors_cache"] = cached
    return cached


def approving_organisation(org: Organisation) -> Organisation:
    """The nearest organisation at or above `org` with the power to approve dispositions."""
    for candidate in organisation_ancestors(org):
        if candidate.may_approve:
            return candidate
    raise DomainError(_("未找到有审批权的上级党组织。"), code="no_approving_org")


def organisation_department(org: Organisation) -> Organisation:
    """The nearest organisation department (组织部门) above `org`."""
    for candidate in organisation_ancestors(org):
        if candidate.kind == OrgKind.DEPARTMENT:
            return candidate
    raise DomainError(_("未找到上级组织部门。"), code="no_department")


# ---- the seats of the case's steps -----------------------------------------------------------


def branch_officer_seat(case: Case) -> Seat:
    """The branch's contact officers: outreach, talk, clues, notice, defence, close."""
    return Seat(Role.CONTACT_OFFICER, case.organisation)


def branch_secretary_seat(case: Case) -> Seat:
    """The branch secretary: proposals and the branch general meeting."""
    return Seat(Role.BRANCH_SECRETARY, case.organisation)


def coordinator_seat(case: Case) -> Seat:
    """The coordinators of the organisation department above the case: inquiries."""
    return Seat(Role.COORDINATOR, organisation_department(case.organisation))


def current_proposal(case: Case) -> Proposal:
    """The case's pending proposal: the copy a service loaded if any, else one query."""
    if case.current_proposal_id is None:
        raise DomainError(_("本案尚无处置提议。"), code="no_proposal")
    if Case.current_proposal.is_cached(case):
        proposal = case.current_proposal
        if proposal is not None and proposal.pk == case.current_proposal_id:
            return proposal
    return Proposal.objects.get(pk=case.current_proposal_id)


def approval_seat(case: Case, proposal: Proposal | None = None) -> Seat:
    """Who approves the pending proposal: the organisation department for a restoration,
    else the approving committee above the branch."""
    proposal = proposal or current_proposal(case)
    if proposal.kind == ProposalKind.RESTORE:
        return Seat(Role.COORDINATOR, organisation_department(case.organisation))
    return Seat(Role.COMMITTEE_APPROVER, approving_organisation(case.organisation))


def pre_review_levels(proposal: Proposal) -> list[ReviewLevel]:
    """The pre-review levels a proposal needs, in order: the approving committee, and for
    劝退/除名 the organisation department after it."""
    if proposal.kind in (ProposalKind.PERSUADE, ProposalKind.REMOVE):
        return [ReviewLevel.COMMITTEE, ReviewLevel.DEPARTMENT]
    return [ReviewLevel.COMMITTEE]


def pre_review_level_seat(case: Case, level: str) -> Seat:
    if level == ReviewLevel.DEPARTMENT:
        return Seat(Role.COORDINATOR, organisation_department(case.organisation))
    return Seat(Role.COMMITTEE_APPROVER, approving_organisation(case.organisation))


def pending_pre_reviews(case: Case, proposal: Proposal | None = None) -> list[ReviewLevel]:
    """The levels still to pre-review the pending proposal, in order."""
    proposal = proposal or current_proposal(case)
    done = set(
        PreReview.objects.filter(proposal=proposal, is_current=True).values_list("level", flat=True)
    )
    return [level for level in pre_review_levels(proposal) if level not in done]


def pre_review_seat(case: Case) -> Seat:
    """Who pre-reviews next: the first level of the pending proposal not yet reviewed."""
    pending = pending_pre_reviews(case)
    if not pending:
        raise DomainError(_("本案没有待预审的层级。"), code="no_pre_review_pending")
    return pre_review_level_seat(case, pending[0])


def deciding_organisation(case: Case, proposal: Proposal | None = None) -> Organisation:
    """The organ that decided the case's disposition: the organisation department for a
    restoration, else the nearest committee with approval power above the branch (a general
    branch never decides). documents.organs names the same organ on the documents."""
    proposal = proposal or current_proposal(case)
    if proposal.kind == ProposalKind.RESTORE:
        return organisation_department(case.organisation)
    for candidate in organisation_ancestors(approving_organisation(case.organisation)):
        if candidate.may_approve and candidate.kind in (OrgKind.COMMITTEE, OrgKind.DEPARTMENT):
            return candidate
    raise DomainError(_("未找到有处置审批权的党委。"), code="no_approving_org")


def appeal_organisation(case: Case, proposal: Proposal | None = None) -> Organisation:
    """Where an appeal (申诉) against the decision goes: the next committee or department
    with approval power above the organ that decided (the organisation department at the
    latest)."""
    decided = deciding_organisation(case, proposal)
    for candidate in organisation_ancestors(decided)[1:]:
        if candidate.may_approve and candidate.kind in (OrgKind.COMMITTEE, OrgKind.DEPARTMENT):
            return candidate
    return organisation_department(decided)


def appeal_seat(case: Case, proposal: Proposal | None = None) -> Seat:
    """Who reviews and decides an appeal: the approvers of the committee above the one that
    decided, or the coordinators when that organ is the organisation department. A pending
    appeal keeps the organ it was sent to (the case may have moved on meanwhile)."""
    pending = (
        Appeal.objects.filter(case_id=case.pk, outcome=AppealOutcome.PENDING)
        .select_related("organisation")
        .first()
    )
    org = pending.organisation if pending else appeal_organisation(case, proposal)
    role = Role.COORDINATOR if org.kind == OrgKind.DEPARTMENT else Role.COMMITTEE_APPROVER
    return Seat(role, org)


def seat_held_by(seat: Seat, user_id: int) -> bool:
    """Whether the user (by id) still holds the seat: its role, active, at its organisation
    or above. One query."""
    ids = [int(part) for part in seat.organisation.path.strip("/").split("/") if part]
    return RoleAssignment.objects.filter(
        user_id=user_id, role=seat.role, organisation_id__in=ids, is_active=True
    ).exists()
