"""Facts about a case that its transitions depend on (read-only queries, no writes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casework.policy import rules_of_case

if TYPE_CHECKING:
    from casework.models.cases import Case


def outreach_minimum_met(case: Case) -> bool:
    """At least N attempts over at least M channels, one of them relatives when required."""
    from casework.models.ledgers import ContactAttempt, ContactChannel

    rules = rules_of_case(case)
    channels = list(
        ContactAttempt.objects.filter(case_id=case.pk).values_list("channel", flat=True)
    )
    if len(channels) < rules.min_outreach_attempts:
        return False
    distinct = set(channels)
    if len(distinct) < rules.min_outreach_channels:
        return False
    return not (rules.outreach_requires_relative and ContactChannel.RELATIVE not in distinct)


def inquiries_settled(case: Case) -> bool:
    """At least one inquiry was made and every inquiry is answered or closed unanswered."""
    from casework.models.inquiries import SETTLED_INQUIRY_STATUSES, Inquiry

    statuses = list(Inquiry.objects.filter(case_id=case.pk).values_list("status", flat=True))
    return bool(statuses) and all(status in SETTLED_INQUIRY_STATUSES for status in statuses)


def inquiry_wait_over(case: Case) -> bool:
    """The case stops waiting for departments: all settled, or one answer located the member."""
    from casework.models.inquiries import Inquiry, InquiryAnswer

    if Inquiry.objects.filter(case_id=case.pk, answer=InquiryAnswer.FOUND).exists():
        return True
    return inquiries_settled(case)


def unassessed_clues(case: Case) -> list[int]:
    """Ids of the case's inquiries answered with a clue the officer has not assessed yet."""
    from casework.models.inquiries import Inquiry, InquiryAnswer

    return list(
        Inquiry.objects.filter(
            case_id=case.pk, answer=InquiryAnswer.CLUE, clue_assessed_at__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def inquiry_wait_interrupted(case: Case) -> bool:
    """The inquiry wait ends, or pauses for the officer: over, or a clue awaits assessment."""
    return bool(unassessed_clues(case)) or inquiry_wait_over(case)


def member_reachable(case: Case) -> bool:
    """The member can be told in person: found again, or on a track opened for a member the
    branch can reach (自行脱党, abroad: the party organisation knows where they are)."""
    from casework.models.cases import CaseTrack

    return case.located_at is not None or case.track != CaseTrack.LOST_CONTACT


def track_kinds(case: Case) -> tuple[str, ...]:
    """The dispositions a case's track allows ((): any the rules allow a lost-contact case)."""
    from casework.models.cases import CaseTrack
    from casework.models.decisions import ProposalKind
    from casework.models.members import MembershipType

    if case.track == CaseTrack.SELF_WITHDRAWAL:
        # a probationary member who left of their own accord has the probation annulled
        probationary = case.member.membership_type == MembershipType.PROBATIONARY
        return (ProposalKind.ANNUL_PROBATION.value if probationary else ProposalKind.REMOVE.value,)
    if case.track == CaseTrack.ABROAD:
        return (ProposalKind.SUSPEND.value,)
    return ()
