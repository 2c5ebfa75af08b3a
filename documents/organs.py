"""Who issues, signs and receives every kind of document: one table.

A document of a case is issued by one of the case's organs (documents of an organisation's own
ledgers — the handover record, the branch's letters to its outgoing members — by the same
table, the organisation being the BRANCH organ: `organs_for_organisation`):
  BRANCH      the case's own organisation (党支部, or 党总支 when the member belongs to it):
              forms, records, notices to the member, the meeting's resolution, the request
              (请示) and the filing report (备案报告) going up;
  DISPOSING   the committee with disposition authority (审批党委): replies (批复) and
              decisions, addressed to the branch; the organisation department for a
              restoration, which it approves. Never a general branch;
  DEPARTMENT  the organisation department (组织部门): inquiry and reminder letters to
              government departments, the written pre-review opinion (预审意见);
  APPEAL      the organ an appeal (申诉) goes to: the next committee or department above the
              disposing one.
The red header (发文机关标志) is printed only for an organ that has one configured
(`Organisation.issuer_name`) and only on letter- and file-format kinds; a branch writes in its
own name without a red header. The signature is always the issuing organ's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from casework.errors import DomainError
from casework.models import Case, Organisation, OrgKind, ProposalKind
from casework.services.cases import (
    approving_organisation,
    organisation_ancestors,
    organisation_department,
)
from documents.kinds import DocumentKind, Layout, spec_for


class Organ(StrEnum):
    BRANCH = "branch"
    DISPOSING = "disposing"
    DEPARTMENT = "department"
    APPEAL = "appeal"
    COMMITTEE = "committee"
    NONE = "none"  # no organisation: the member, a government department, the public


@dataclass(frozen=True)
class Route:
    issuer: Organ
    addressee: Organ  # NONE: the builder names the addressee (member, department) or none
    copy_to: Organ = Organ.NONE  # 抄送 (版记)


K = DocumentKind
B, D, DEP, A, N = Organ.BRANCH, Organ.DISPOSING, Organ.DEPARTMENT, Organ.APPEAL, Organ.NONE
ROUTES: dict[str, Route] = {
    K.REGISTER_FORM: Route(B, N),
    K.MEMBER_LETTER: Route(B, N),
    K.TALK_RECORD: Route(B, N),
    K.INQUIRY_LETTER: Route(DEP, N),
    K.REMINDER_LETTER: Route(DEP, N),
    K.PUBLIC_NOTICE: Route(D, N),
    K.APPROVAL_FORM: Route(B, N),
    K.PRE_REVIEW_OPINION: Route(DEP, D),
    K.DEFENCE_NOTICE: Route(B, N),
    K.DELIVERY_RECEIPT: Route(N, N),  # the issuer of the document served
    K.MEETING_RESOLUTION: Route(B, N),
    K.REQUEST: Route(B, D),
    K.FILING_REPORT: Route(B, D),
    K.REPLY: Route(D, B, copy_to=DEP),
    K.DECISION_CORRECTION: Route(D, B, copy_to=DEP),
    K.DECISION_PERSUASION: Route(D, B, copy_to=DEP),
    K.DECISION_REMOVAL: Route(D, B, copy_to=DEP),
    K.DECISION_REMOVAL_AFTER_PERSUASION: Route(D, B, copy_to=DEP),
    K.DECISION_SUSPENSION: Route(D, B, copy_to=DEP),
    K.DECISION_ANNUL_PROBATION: Route(D, B, copy_to=DEP),
    K.DECISION_RESTORATION: Route(D, B, copy_to=Organ.COMMITTEE),
    K.CORRECTION_REVIEW: Route(B, N),
    K.RESTORATION_FORM: Route(B, N),
    K.APPEAL_ACKNOWLEDGEMENT: Route(A, N),
    K.APPEAL_REPLY: Route(A, N),
    K.TRANSFER_CHASER: Route(N, N),  # the organisation that issued the introduction letter
    K.DOSSIER: Route(B, N),
    K.HANDOVER_RECORD: Route(B, N),  # an organisation's ledgers: the branch itself
}

# How an organ calls itself and how it addresses another in the text.
SELF = {
    OrgKind.DEPARTMENT: "我部",
    OrgKind.COMMITTEE: "我委",
    OrgKind.GENERAL_BRANCH: "我总支",
    OrgKind.BRANCH: "我支部",
}
YOU = {
    OrgKind.DEPARTMENT: "你部",
    OrgKind.COMMITTEE: "你委",
    OrgKind.GENERAL_BRANCH: "你总支",
    OrgKind.BRANCH: "你支部",
}


def organ_name(org: Organisation) -> str:
    """The name an organ signs with (its configured 发文机关标志, else its name)."""
    return org.issuer_name or org.name


def disposing_organisation(case: Case, proposal_kind: str | None) -> Organisation:
    """The organ that decides: the organisation department for a restoration, otherwise the
    nearest committee with approval power above the branch (a general branch never decides,
    even when marked as approving)."""
    if proposal_kind == ProposalKind.RESTORE:
        return organisation_department(case.organisation)
    org = approving_organisation(case.organisation)
    if org.kind in (OrgKind.COMMITTEE, OrgKind.DEPARTMENT):
        return org
    for candidate in organisation_ancestors(org)[1:]:
        if candidate.may_approve and candidate.kind in (OrgKind.COMMITTEE, OrgKind.DEPARTMENT):
            return candidate
    raise DomainError(_("未找到有处置审批权的党委。"), code="no_approving_org")


def appeal_organisation(case: Case, proposal_kind: str | None) -> Organisation:
    """Where an appeal against the decision goes: the next approving committee or department
    above the disposing organ (the organisation department at the latest)."""
    disposing = disposing_organisation(case, proposal_kind)
    for candidate in organisation_ancestors(disposing)[1:]:
        if candidate.may_approve and candidate.kind in (OrgKind.COMMITTEE, OrgKind.DEPARTMENT):
            return candidate
    return organisation_department(disposing)


ProposalKindOf = Callable[[], str | None]


def organisation_for(organ: Organ, case: Case, kind_of: ProposalKindOf) -> Organisation:
    """The organisation playing `organ` for `case`; `kind_of()` (the proposal's kind, read
    only when the organ depends on it) tells a restoration from the rest."""
    if organ == Organ.BRANCH:
        return case.organisation
    if organ == Organ.DISPOSING:
        return disposing_organisation(case, kind_of())
    if organ == Organ.DEPARTMENT:
        return organisation_department(case.organisation)
    if organ == Organ.APPEAL:
        return appeal_organisation(case, kind_of())
    if organ == Organ.COMMITTEE:
        return disposing_organisation(case, None)
    raise ValueError(organ)


@dataclass(frozen=True)
class Organs:
    """The printed organ facts of one document (they go into its context)."""

    issuer: Organisation
    addressee: Organisation | None

    def facts(self, kind: str, *, copy_to: list[str]) -> dict[str, object]:
        spec = spec_for(kind)
        has_mark = bool(self.issuer.issuer_name)
        layout = spec.layout if has_mark else Layout.PLAIN
        return {
            "format": layout,
            "header": self.issuer.issuer_name if layout != Layout.PLAIN else "",
            "signature": organ_name(self.issuer),
            "addressee": organ_name(self.addressee) if self.addressee is not None else "",
            "we": SELF[OrgKind(self.issuer.kind)],
            "you": YOU[OrgKind(self.addressee.kind)] if self.addressee is not None else "",
            "copy_to": copy_to,
        }


def organs_for_case(kind: str, case: Case, kind_of: ProposalKindOf) -> Organs:
    """Issuer and addressee of a case document of `kind` (by the table above)."""
    route = ROUTES[DocumentKind(kind)]
    if route.issuer == Organ.NONE:
        raise ValueError(f"{kind}: the issuer is the served document's or the letter's")
    issuer = organisation_for(route.issuer, case, kind_of)
    addressee = (
        None if route.addressee == Organ.NONE else organisation_for(route.addressee, case, kind_of)
    )
    return Organs(issuer=issuer, addressee=addressee)


def organs_for_organisation(kind: str, organisation: Organisation) -> Organs:
    """Issuer of a document of `kind` that an organisation issues about its own ledgers, not
    about a case: only kinds the branch issues to no organ; the organisation writes in its
    own name (never an ancestor's)."""
    route = ROUTES[DocumentKind(kind)]
    if route.issuer != Organ.BRANCH or route.addressee != Organ.NONE:
        raise ValueError(f"{kind}: not a document an organisation issues on its own")
    return Organs(issuer=organisation, addressee=None)


def copy_to_for(kind: str, case: Case, issuer: Organisation) -> list[str]:
    """抄送: the organisation department gets the committee's decisions and replies; the
    committee gets the department's restoration decision; never the issuer itself."""
    organ = ROUTES[DocumentKind(kind)].copy_to
    if organ == Organ.NONE:
        return []
    copied = organisation_for(organ, case, lambda: None)
    return [] if copied.pk == issuer.pk else [organ_name(copied)]
