"""Facts from the case, never blanks: one builder per document kind.

A builder takes the case's records (documents.facts.records.CaseRecords, loaded lazily) and
the few parameters a step gives (a deadline it sets, the document served), and returns the
kind-specific part of the document's context: its title and every fact its text prints. A
fact the text needs and the records lack raises MissingFact naming it (documents.templating),
which the step shows to the user instead of issuing a document with a hole.

The issuer, signer and addressee come from documents.organs, not from here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from documents.facts import decisions, proposal, search
from documents.facts.records import CaseRecords
from documents.kinds import DocumentKind as K

Builder = Callable[..., dict[str, Any]]

CASE_BUILDERS: dict[str, Builder] = {
    K.REGISTER_FORM: search.register_form,
    K.MEMBER_LETTER: search.member_letter,
    K.TALK_RECORD: search.talk_record,
    K.PUBLIC_NOTICE: search.public_notice,
    K.APPROVAL_FORM: proposal.approval_form,
    K.PRE_REVIEW_OPINION: proposal.pre_review_opinion,
    K.DEFENCE_NOTICE: proposal.defence_notice,
    K.MEETING_RESOLUTION: proposal.meeting_resolution,
    K.REQUEST: proposal.request,
    K.FILING_REPORT: proposal.filing_report,
    K.REPLY: proposal.reply,
    K.RESTORATION_FORM: proposal.restoration_form,
    K.DECISION_CORRECTION: decisions.decision,
    K.DECISION_PERSUASION: decisions.decision,
    K.DECISION_REMOVAL: decisions.decision,
    K.DECISION_SUSPENSION: decisions.decision,
    K.DECISION_ANNUL_PROBATION: decisions.decision,
    K.DECISION_RESTORATION: decisions.decision,
    K.DECISION_REMOVAL_AFTER_PERSUASION: decisions.decision_removal_after_persuasion,
    K.CORRECTION_REVIEW: decisions.correction_review,
    K.DELIVERY_RECEIPT: decisions.delivery_receipt,
    K.APPEAL_ACKNOWLEDGEMENT: decisions.appeal_acknowledgement,
    K.APPEAL_REPLY: decisions.appeal_reply,
    K.DOSSIER: decisions.dossier,
}

# Builders that want the acting user (the 签发人 of upward documents).
TAKES_ACTOR = frozenset({K.REQUEST, K.FILING_REPORT, K.APPROVAL_FORM})

DECISION_OF = decisions.DECISION_OF

__all__ = ["CASE_BUILDERS", "DECISION_OF", "TAKES_ACTOR", "CaseRecords"]
