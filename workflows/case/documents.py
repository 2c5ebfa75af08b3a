"""The formal documents a step of the case flow issues, with their context from the case.

Which kinds a step issues is declared in workflows/case/steps.py (`Step.documents_for`);
this module builds each kind's context and issues it. Inquiry letters and reminders are
batched by the integrations layer and not issued here. Documents are numbered inside the
step's transaction and rendered after commit (documents.services.document_issue).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from casework.access import WRITE_ROLES, has_role_over
from casework.errors import DomainError
from casework.models import (
    Case,
    Circumstance,
    ContactAttempt,
    Decision,
    MeetingResolution,
    Organisation,
    Proposal,
    ProposalKind,
    TalkRecord,
)
from casework.services.cases import approving_organisation, organisation_ancestors
from documents.kinds import DocumentKind as K
from documents.models import Document
from documents.render import document_language
from documents.services import document_issue

logger = logging.getLogger(__name__)


def _day(value: Any) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _issuer(org: Organisation) -> Organisation:
    """The case's organisation if it has a 机关代字, else the nearest ancestor with one."""
    for candidate in organisation_ancestors(org):
        if candidate.doc_code:
            return candidate
    return approving_organisation(org)


def _member(case: Case) -> dict[str, Any]:
    member = case.member
    return {
        "name": member.name,
        "branch": case.organisation.name,
        "membership_type": member.get_membership_type_display(),
        "last_contact_date": _day(member.last_contact_date),
    }


class _Facts:
    """The rows a step's documents read, each fetched at most once per step."""

    def __init__(self, case: Case) -> None:
        self.case = case

    @cached_property
    def proposal(self) -> Proposal | None:
        # the copy the step's service loaded, if it did (one query otherwise)
        return None if self.case.current_proposal_id is None else self.case.current_proposal

    @cached_property
    def decision(self) -> Decision | None:
        return Decision.objects.filter(case_id=self.case.pk).order_by("-id").first()

    @cached_property
    def talk(self) -> TalkRecord | None:
        return (
            TalkRecord.objects.filter(case_id=self.case.pk)
            .select_related("talker1", "talker2")
            .order_by("-id")
            .first()
        )


def _context(kind: str, facts: _Facts) -> dict[str, Any]:
    case = facts.case
    common: dict[str, Any] = {
        "member": _member(case),
        "signature": case.organisation.name,
        "situation": str(Circumstance(case.circumstance).label),
    }
    proposal = facts.proposal
    proposed = str(ProposalKind(proposal.kind).label) if proposal else ""
    if kind == K.REGISTER_FORM:
        attempts = ContactAttempt.objects.filter(case_id=case.pk).order_by("at")[:20]
        return {
            **common,
            "circumstance": str(Circumstance(case.circumstance).label),
            "attempts": [
                {
                    "date": _day(a.at),
                    "channel": a.get_channel_display(),
                    "outcome": a.get_outcome_display(),
                }
                for a in attempts
            ],
        }
    if kind == K.TALK_RECORD:
        talk = facts.talk
        return {
            **common,
            "talk": {
                "date": _day(talk.held_on) if talk else "",
                "talkers": [talk.talker1.name, talk.talker2.name] if talk else [],
                "content": talk.content.splitlines() if talk else [],
            },
        }
    if kind == K.APPROVAL_FORM:
        return {**common, "proposed": proposed, "approvals": []}
    if kind == K.DEFENCE_NOTICE:
        return {
            **common,
            "proposed": proposed,
            "due_date": _day(proposal.defence_until) if proposal else "",
        }
    if kind in (K.MEETING_RESOLUTION, K.REQUEST):
        meeting = (
            MeetingResolution.objects.filter(proposal=proposal).order_by("-id").first()
            if proposal
            else None
        )
        name = case.member.name
        return {
            **common,
            "proposed": proposed,
            "meeting": {
                "date": _day(meeting.held_on) if meeting else "",
                "entitled": meeting.voting_members if meeting else 0,
                "present": meeting.present if meeting else 0,
                "votes_for": meeting.votes_for if meeting else 0,
                "votes_against": meeting.votes_against if meeting else 0,
                "votes_abstain": meeting.abstentions if meeting else 0,
            },
            "meeting_date": _day(meeting.held_on) if meeting else "",
            "resolution": f"对{name}同志{proposed}",
            "title": f"关于对{name}同志{proposed}的请示"
            if kind == K.REQUEST
            else f"关于对{name}同志{proposed}的决议",
            "addressee": approving_organisation(case.organisation).name,
        }
    decision = facts.decision
    name = case.member.name
    return {
        **common,
        "title": f"关于同意对{name}同志{proposed}的批复",
        "addressee": case.organisation.name,
        "decision": f"同意对{name}同志{proposed}。",
        "deadline": _day(decision.clock_due) if decision else "",
    }


def issue_step_documents(
    *, kinds: Sequence[str], case: Case, actor: AbstractBaseUser | None
) -> list[Document]:
    """Issue the documents of a step (`kinds`, from its declaration), in the caller's
    transaction."""
    if not kinds:
        return []
    facts = _Facts(case)
    try:
        issuer = _issuer(case.organisation)
    except DomainError:
        # A tree without any 机关代字 or approving committee is a configuration gap; the case
        # must still move. Say so loudly (ids only) instead of failing the step.
        logger.warning(
            "case %s documents %s: no issuing organisation configured, not issued",
            case.pk,
            list(kinds),
        )
        return []
    signer = actor if actor is not None and has_role_over(actor, issuer, WRITE_ROLES) else None
    with document_language():  # choice labels in the context stay Chinese
        return [
            document_issue(
                kind=kind,
                issuer=issuer,
                context=_context(kind, facts),
                actor=signer,
                case=case,
                member=case.member,
            )
            for kind in kinds
        ]
