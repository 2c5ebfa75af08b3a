"""The records of a case that documents quote, each fetched at most once, and the small
helpers every facts builder uses (Chinese dates, required facts, the member's facts).

`CaseRecords` loads lazily: a step's documents touch only the rows their text quotes.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Subquery
from django.utils import timezone

from casework.models import (
    Case,
    Circumstance,
    ContactAttempt,
    Decision,
    Inquiry,
    MeetingResolution,
    Member,
    PreReview,
    Proposal,
    ProposalKind,
    RoleAssignment,
    TalkRecord,
    TimelineEntry,
)
from casework.policy import RuleSet, rules_of_case
from casework.validation import mask_id_number
from documents.models import Document, DocumentStatus
from documents.templating import MissingFact

UNRECORDED = "未登记"  # a register field nobody filled in: said, not left blank
CN_DIGITS = "〇一二三四五六七八九十"


def cn_date(value: dt.date | dt.datetime | None) -> str:
    """2026年11月26日 (Arabic numerals, no leading zeros); "" when unknown."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.year}年{value.month}月{value.day}日"


def iso_cn_date(value: Any) -> str:
    """A date stored as ISO text (timeline details) in Chinese; "" when absent."""
    if not value:
        return ""
    return cn_date(dt.date.fromisoformat(str(value)[:10]))


def cn_month(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月" if value is not None else ""


def cn_count(n: int) -> str:
    """一 … 十 for the small counts the rules speak of (五年, 二年), digits beyond."""
    return CN_DIGITS[n] if 0 < n <= 10 else str(n)


TITLE_LINE = 20  # characters of 22 pt (二号) across the 156 mm type area
TERMINAL = "。！？；”"


def split_title(title: str) -> list[str]:
    """Title lines broken by meaning (GB/T 9704 7.3.1): after the issuing organ's "关于" when
    the organ leads the title, else into balanced lines, never leaving one character alone."""
    if len(title) <= TITLE_LINE:
        return [title]
    at = title.find("关于")
    if at > 0 and at + 2 <= TITLE_LINE and len(title) - at - 2 <= TITLE_LINE:
        return [title[: at + 2], title[at + 2 :]]
    lines = -(-len(title) // TITLE_LINE)
    width = -(-len(title) // lines)
    return [title[i : i + width] for i in range(0, len(title), width)]


def sentence(text: str) -> str:
    """Free text quoted in a document, ending with a full stop."""
    text = text.strip()
    return text if not text or text[-1] in TERMINAL else text + "。"


def need(value: Any, fact: str, kind: str = "") -> Any:
    """`value` when present; MissingFact naming `fact` otherwise (never print a hole)."""
    if value is None or value == "" or value == []:
        raise MissingFact(fact, kind=kind)
    return value


def user_name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.first_name or user.username)


def member_facts(member: Member, *, audience: str = "party") -> dict[str, str]:
    """What a document prints about the member.

    audience "party": inside the party organisation (no ID number);
    "department": a government department looking the member up (full ID number: the
    look-up needs it); "public": a public notice (ID number masked, no employer).
    """
    facts = {
        "name": member.name,
        "gender": member.get_gender_display(),
        "birth_date": cn_month(member.birth_date) or UNRECORDED,
        "ethnicity": member.ethnicity or UNRECORDED,
        "join_date": cn_month(member.join_date) or UNRECORDED,
        "membership_type": member.get_membership_type_display(),
        "branch": member.organisation.name,  # the case loads it: see CaseRecords.member
        "last_contact_date": cn_date(member.last_contact_date) or UNRECORDED,
    }
    if audience in ("party", "department"):
        employer = member.employer or UNRECORDED
        facts["employer"] = f"{employer}（{member.occupation}）" if member.occupation else employer
    if audience == "department":
        facts["id_number"] = member.id_number
    if audience == "public":
        facts["id_number"] = mask_id_number(member.id_number)
    return facts


def person_line(member: Member) -> str:
    """王䶮，男，1988年3月出生，汉族，2010年6月入党 — the opening of a decision or request."""
    parts = [member.name, member.get_gender_display()]
    if member.birth_date:
        parts.append(f"{cn_month(member.birth_date)}出生")
    if member.ethnicity:
        parts.append(member.ethnicity)
    if member.join_date:
        parts.append(f"{cn_month(member.join_date)}入党")
    return "，".join(parts)


class CaseRecords:
    """The rows of one case a step's documents read, each loaded at most once."""

    def __init__(self, case: Case) -> None:
        self.case = case

    @property
    def member(self) -> Member:
        """The member, their organisation taken from the case when it is the same row."""
        member = self.case.member
        if member.organisation_id == self.case.organisation_id:
            member.organisation = self.case.organisation
        return member

    @cached_property
    def rules(self) -> RuleSet:
        return rules_of_case(self.case)

    @property
    def circumstance(self) -> str:
        return str(Circumstance(self.case.circumstance).label)

    @cached_property
    def proposal(self) -> Proposal | None:
        if self.case.current_proposal_id is not None:
            return self.case.current_proposal
        return Proposal.objects.filter(case_id=self.case.pk).order_by("-id").first()

    @property
    def proposal_kind(self) -> str | None:
        return self.proposal.kind if self.proposal is not None else None

    @property
    def proposed(self) -> str:
        return str(ProposalKind(self.proposal.kind).label) if self.proposal else ""

    @cached_property
    def decision(self) -> Decision | None:
        proposal = self.proposal
        if proposal is None:
            return None
        return Decision.objects.filter(proposal_id=proposal.pk).first()

    def decision_of_kind(self, kind: str) -> Decision | None:
        return Decision.objects.filter(case_id=self.case.pk, kind=kind).order_by("-id").first()

    @cached_property
    def talk(self) -> TalkRecord | None:
        return (
            TalkRecord.objects.filter(case_id=self.case.pk)
            .select_related("talker1", "talker2", "recorder")
            .order_by("-id")
            .first()
        )

    @cached_property
    def meeting(self) -> MeetingResolution | None:
        if self.proposal is None:
            return None
        return (
            MeetingResolution.objects.filter(proposal_id=self.proposal.pk).order_by("-id").first()
        )

    @cached_property
    def pre_reviews(self) -> list[PreReview]:
        if self.proposal is None:
            return []
        return list(
            PreReview.objects.filter(proposal_id=self.proposal.pk, is_current=True)
            .select_related("reviewer")
            .order_by("at", "id")
        )

    @cached_property
    def attempts(self) -> list[ContactAttempt]:
        """The member's contact attempts since the last successful contact (those of the
        case and those before it was opened)."""
        since = self.member.last_contact_date
        rows = ContactAttempt.objects.filter(member_id=self.member.pk).order_by("at", "id")
        if since is not None:
            rows = rows.filter(at__date__gte=since)
        return list(rows[:50])

    @cached_property
    def inquiries(self) -> list[Inquiry]:
        return list(
            Inquiry.objects.filter(case_id=self.case.pk)
            .select_related("department")
            .order_by("requested_at", "id")
        )

    @cached_property
    def timeline(self) -> list[TimelineEntry]:
        return list(
            TimelineEntry.objects.filter(case_id=self.case.pk)
            .select_related("actor")
            .order_by("at", "id")
        )

    def last_entry(self, action: str) -> TimelineEntry | None:
        found = [e for e in self.timeline if e.action == action]
        return found[-1] if found else None

    @cached_property
    def documents(self) -> list[Document]:
        return list(
            Document.objects.filter(case_id=self.case.pk)
            .exclude(status=DocumentStatus.VOIDED)
            .order_by("issued_on", "id")
        )

    def last_document(self, kind: str) -> Document | None:
        found = [d for d in self.documents if d.kind == kind]
        return found[-1] if found else None

    def branch_secretary_name(self, actor: Any = None) -> str:
        """The 签发人 of the branch's upward documents: the acting user when they are the
        branch's secretary, else the branch's (first) secretary on record."""
        from casework.access import has_role_at

        if actor is not None and has_role_at(actor, self.case.organisation, ["branch_secretary"]):
            return user_name(actor)
        first = (
            RoleAssignment.objects.filter(
                organisation_id=self.case.organisation_id,
                role="branch_secretary",
                is_active=True,
            )
            .order_by("id")
            .values("user_id")[:1]
        )
        secretary = get_user_model()._default_manager.filter(pk=Subquery(first)).first()
        return user_name(secretary)
