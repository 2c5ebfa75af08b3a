"""Issue the documents of a case (and the organisation department's letters) from their facts.

The API the upper floors call; each function builds the facts (documents.facts), decides
the organs (documents.organs) and numbers the document (documents.services.document_issue),
in the caller's transaction:

    case_documents_issue(*, kinds, case, actor, params=None) -> list[Document]
        The documents a completed step issues, in order; a later kind sees the earlier ones
        (the reply cites the request, a delivery receipt the decision). `params` maps a kind
        to its builder's keyword arguments (deadlines a step sets; a delivery receipt names
        the kind it serves: {"served_kind": …}). Facts are checked by rendering the text with
        the strict template engine before anything is numbered (MissingFact otherwise).

    department_letter_issue(*, kind, department, inquiries, actor, items=(), original=None)
        An inquiry letter (协助查找函) or a reminder (催办函) to one government department.

    transfer_chaser_issue(*, transfer, actor, reply_by) -> Document
        The chaser for an introduction letter whose receipt did not come back.

    organisation_document_issue(*, kind, organisation, facts, actor, member=None,
                                issued_on=None) -> Document
        A document an organisation issues about its own ledgers, in its own name (the ledger
        handover record, the branch's letter to an outgoing member: documents.prevention
        builds their facts with documents.facts.prevention).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from casework.access import WRITE_ROLES, has_role_over
from casework.models import Case, Department, Inquiry, Member, Organisation, RelationTransfer
from documents.facts import CASE_BUILDERS, TAKES_ACTOR, CaseRecords
from documents.facts import search as search_facts
from documents.facts.records import need, split_title
from documents.kinds import DocumentKind
from documents.models import Document, issuer_profile
from documents.organs import (
    Organs,
    copy_to_for,
    organ_name,
    organs_for_case,
    organs_for_organisation,
)
from documents.render import document_language, render_html
from documents.services import document_issue, issuer_of, number_series

K = DocumentKind


# Kinds that print the issuer's contact line (附注): letters to outside recipients and to the
# member, and requests and reports going up (a 请示 names whom to call).
CONTACT_KINDS = frozenset(
    {
        K.INQUIRY_LETTER,
        K.REMINDER_LETTER,
        K.PRE_REVIEW_OPINION,
        K.DEFENCE_NOTICE,
        K.REQUEST,
        K.FILING_REPORT,
        K.APPEAL_ACKNOWLEDGEMENT,
        K.APPEAL_REPLY,
        K.TRANSFER_CHASER,
    }
)


def print_facts(org: Organisation, kind: str) -> dict[str, Any]:
    """版记, seal and contact line of the issuing organ: 印发机关 (its profile's, else itself),
    the seal image if configured, the contact line for kinds that print one."""
    profile = issuer_profile(org)
    return {
        "printing_office": (profile.printing_office if profile else "") or organ_name(org),
        "seal_image": Path(profile.seal_image).resolve().as_uri()
        if profile and profile.seal_image
        else "",
        "contact": (
            f"联系人：{profile.contact_person}，联系电话：{profile.contact_phone}"
            if kind in CONTACT_KINDS
            and profile
            and profile.contact_person
            and profile.contact_phone
            else ""
        ),
    }


def _signer(actor: Any, issuer: Organisation) -> Any:
    """The user a document is issued by, when they may write for the issuer (else the system)."""
    if actor is not None and actor.is_authenticated and has_role_over(actor, issuer, WRITE_ROLES):
        return actor
    return None


def _issued_on(kind: str, r: CaseRecords) -> dt.date | None:
    """Records are dated when they happened: the talk record the talk, the resolution the
    meeting."""
    if kind == K.TALK_RECORD and r.talk is not None:
        return r.talk.held_on
    if kind == K.MEETING_RESOLUTION and r.meeting is not None:
        return r.meeting.held_on
    return None


def case_document_context(
    *, kind: str, r: CaseRecords, actor: Any = None, params: dict[str, Any] | None = None
) -> tuple[Organisation, dict[str, Any]]:
    """(issuer, context) of a case document of `kind`: organs + facts. Raises MissingFact."""
    kwargs = dict(params or {})
    if kind in TAKES_ACTOR:
        kwargs["actor"] = actor
    if kind == K.DELIVERY_RECEIPT:
        served_kind = kwargs.pop("served_kind")
        served = need(r.last_document(served_kind), "送达文书", str(K(kind).label))
        kwargs["served"] = served
        facts = CASE_BUILDERS[K(kind)](r, **kwargs)
        issuer = served.issuer
        organs = Organs(issuer=issuer, addressee=None)
    else:
        facts = CASE_BUILDERS[K(kind)](r, **kwargs)
        organs = organs_for_case(kind, r.case, lambda: r.proposal_kind)
        issuer = organs.issuer
    context = {
        **organs.facts(kind, copy_to=copy_to_for(kind, r.case, issuer)),
        **print_facts(issuer, kind),
        "signer": "",
        **facts,
    }
    context["title_lines"] = split_title(context["title"])
    return issuer, context


def checked(kind: str, issuer: Organisation, context: dict[str, Any]) -> dict[str, Any]:
    """The context, once its text renders with the strict template engine (no PDF): a fact
    the text prints and the records lack refuses the step here (MissingFact), not later."""
    render_html(
        kind=kind, issuer=issuer_of(issuer), context=context, number="", verify_code="", draft=True
    )
    return context


def case_documents_issue(
    *,
    kinds: Sequence[str],
    case: Case,
    actor: Any,
    params: dict[str, dict[str, Any]] | None = None,
) -> list[Document]:
    """Issue `kinds` for `case` in order, in the caller's transaction. The organs of every
    kind are resolved first, so a tree without an issuing organ refuses before anything is
    written."""
    r = CaseRecords(case)
    for kind in kinds:
        if kind != K.DELIVERY_RECEIPT:
            issuer = organs_for_case(kind, case, lambda: r.proposal_kind).issuer
            number_series(kind, issuer)
    issued: list[Document] = []
    with document_language():
        for kind in kinds:
            issuer, context = case_document_context(
                kind=kind, r=r, actor=actor, params=(params or {}).get(kind)
            )
            document = document_issue(
                kind=kind,
                issuer=issuer,
                context=checked(kind, issuer, context),
                actor=_signer(actor, issuer),
                case=case,
                member=case.member,
                issued_on=_issued_on(kind, r),
            )
            if "documents" in r.__dict__:  # loaded: later kinds of this step see it
                r.documents.append(document)
            issued.append(document)
    return issued


def department_letter_issue(
    *,
    kind: str,
    department: Department,
    inquiries: Sequence[Inquiry],
    actor: Any,
    items: Sequence[str] = (),
    original: Document | None = None,
) -> Document:
    """An inquiry letter or its reminder, issued by the department's organisation department."""
    issuer = department.organisation
    header = organ_name(issuer)
    with document_language():
        if kind == K.INQUIRY_LETTER:
            facts = search_facts.inquiry_letter(
                department=department, inquiries=inquiries, items=items, header=header
            )
        else:
            facts = search_facts.reminder_letter(
                department=department, inquiries=inquiries, original=original, header=header
            )
        context = {
            **_letter_organ_facts(kind, issuer, addressee=department.name),
            **print_facts(issuer, kind),
            "signer": "",
            **facts,
        }
        context["title_lines"] = split_title(context["title"])
        return document_issue(
            kind=kind,
            issuer=issuer,
            context=checked(kind, issuer, context),
            actor=_signer(actor, issuer),
        )


def transfer_chaser_issue(*, transfer: RelationTransfer, actor: Any, reply_by: dt.date) -> Document:
    """The chaser (催办函) for an introduction letter's receipt, by the sending organisation."""
    issuer = transfer.from_organisation
    with document_language():
        facts = search_facts.transfer_chaser(transfer=transfer, reply_by=reply_by)
        context = {
            **_letter_organ_facts(K.TRANSFER_CHASER, issuer, addressee=transfer.to_name),
            **print_facts(issuer, K.TRANSFER_CHASER),
            "signer": "",
            **facts,
        }
        context["title_lines"] = split_title(context["title"])
        return document_issue(
            kind=K.TRANSFER_CHASER,
            issuer=issuer,
            context=checked(K.TRANSFER_CHASER, issuer, context),
            actor=_signer(actor, issuer),
            member=transfer.member,
        )


def organisation_document_issue(
    *,
    kind: str,
    organisation: Organisation,
    facts: dict[str, Any],
    actor: Any,
    member: Member | None = None,
    issued_on: dt.date | None = None,
) -> Document:
    """A document of an organisation's own ledgers (not of a case), issued in its own name;
    `facts` are built under documents.render.document_language by the caller."""
    organs = organs_for_organisation(kind, organisation)
    issuer = organs.issuer
    context = {
        **organs.facts(kind, copy_to=[]),
        **print_facts(issuer, kind),
        "signer": "",
        **facts,
    }
    context["title_lines"] = split_title(context["title"])
    return document_issue(
        kind=kind,
        issuer=issuer,
        context=checked(kind, issuer, context),
        actor=_signer(actor, issuer),
        member=member,
        issued_on=issued_on,
    )


def _letter_organ_facts(kind: str, issuer: Organisation, *, addressee: str) -> dict[str, Any]:
    facts = Organs(issuer=issuer, addressee=None).facts(kind, copy_to=[])
    facts["addressee"] = addressee
    facts["you"] = "贵单位"
    return facts


__all__ = [
    "case_document_context",
    "case_documents_issue",
    "department_letter_issue",
    "organisation_document_issue",
    "transfer_chaser_issue",
]
