"""What a step's screen shows beside its form: the proposal being decided (for pre-reviews and
approvals, on the queue and on the task page) and the outreach so far (for the officer).

Read-only; the caller has already scoped the case (a task row the user may see). A queue
page asks for all its rows' proposals at once: two queries whatever the page size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from casework.models import (
    Case,
    ContactAttempt,
    ContactChannel,
    ContactOutcome,
    Ground,
    MeetingResolution,
    PreReview,
    Proposal,
    ProposalKind,
    ReviewLevel,
)
from casework.policy import rules_of_case


@dataclass(frozen=True)
class Vote:
    held_on: dt.date
    voting_members: int
    present: int
    votes_for: int
    votes_against: int
    abstentions: int
    passed: bool

    def text(self) -> str:
        result = _("通过") if self.passed else _("未通过")
        return _(
            "%(day)s 支部大会：应到 %(voting)s 人，实到 %(present)s 人；赞成 %(for)s、"
            "反对 %(against)s、弃权 %(abstain)s（%(result)s）"
        ) % {
            "day": f"{self.held_on:%Y-%m-%d}",
            "voting": self.voting_members,
            "present": self.present,
            "for": self.votes_for,
            "against": self.votes_against,
            "abstain": self.abstentions,
            "result": result,
        }


@dataclass(frozen=True)
class Review:
    level: str
    reviewer: str
    comment: str
    at: dt.datetime


@dataclass
class ProposalSummary:
    """A proposal as its deciders read it."""

    pk: int
    kind: str  # label
    kind_code: str
    grounds: list[str]  # labels
    reasons: str
    proposer: str
    proposed_at: dt.datetime
    correction_months: int | None
    vote: Vote | None = None
    reviews: list[Review] = field(default_factory=list)
    notified_on: dt.date | None = None
    defence_given: bool = False

    def vote_text(self) -> str:
        return self.vote.text() if self.vote else _("支部大会尚未表决")


def _person(user: Any) -> str:
    if user is None:
        return _("系统")
    return str(user.get_full_name() or user.get_username())


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _summary(proposal: Proposal) -> ProposalSummary:
    return ProposalSummary(
        pk=proposal.pk,
        kind=_label(ProposalKind, proposal.kind),
        kind_code=proposal.kind,
        grounds=[_label(Ground, g) for g in proposal.grounds or []],
        reasons=proposal.reasons,
        proposer=_person(proposal.proposed_by),
        proposed_at=proposal.proposed_at,
        correction_months=proposal.correction_months,
        notified_on=proposal.notified_on,
    )


def _vote(resolution: MeetingResolution) -> Vote:
    return Vote(
        held_on=resolution.held_on,
        voting_members=resolution.voting_members,
        present=resolution.present,
        votes_for=resolution.votes_for,
        votes_against=resolution.votes_against,
        abstentions=resolution.abstentions,
        passed=resolution.passed,
    )


def proposal_summaries(proposal_ids: Iterable[int | None]) -> dict[int, ProposalSummary]:
    """Proposal id → its summary with the latest meeting vote (two queries)."""
    ids = {pk for pk in proposal_ids if pk}
    if not ids:
        return {}
    summaries = {
        p.pk: _summary(p)
        for p in Proposal.objects.filter(pk__in=ids)
        .select_related("proposed_by")
        .defer("defence_text")
    }
    for resolution in MeetingResolution.objects.filter(proposal_id__in=ids).order_by("pk"):
        summaries[resolution.proposal_id].vote = _vote(resolution)  # the latest wins
    return summaries


def proposal_for_case(case: Case) -> ProposalSummary | None:
    """The case's current proposal with its vote, pre-reviews and defence (four queries)."""
    if case.current_proposal_id is None:
        return None
    summary = proposal_summaries([case.current_proposal_id])[case.current_proposal_id]
    reviews = PreReview.objects.filter(
        proposal_id=case.current_proposal_id, is_current=True
    ).select_related("reviewer")
    summary.reviews = [
        Review(
            level=_label(ReviewLevel, r.level),
            reviewer=_person(r.reviewer),
            comment=r.comment,
            at=r.at,
        )
        for r in reviews.order_by("at")
    ]
    summary.defence_given = bool(
        Proposal.objects.filter(pk=case.current_proposal_id).exclude(defence_text="").exists()
    )
    return summary


@dataclass(frozen=True)
class Attempt:
    at: dt.datetime
    channel: str
    outcome: str
    reached: bool
    notes: str
    by: str


@dataclass
class OutreachProgress:
    """The case's contact attempts against the rule set's minimum (casework.caserules)."""

    attempts: list[Attempt]
    min_attempts: int
    min_channels: int
    requires_relative: bool
    needs: list[str]  # what the minimum still needs, in words; empty once it is met

    @property
    def met(self) -> bool:
        return not self.needs

    @property
    def rule(self) -> str:
        text = _("至少联系 %(n)s 次、使用 %(m)s 种方式") % {
            "n": self.min_attempts,
            "m": self.min_channels,
        }
        if self.requires_relative:
            text += _("，其中须联系亲属")
        return text


def outreach_progress(case: Case) -> OutreachProgress:
    """Attempts so far (newest first) and what the outreach minimum still needs (one query)."""
    rules = rules_of_case(case)
    rows = list(
        ContactAttempt.objects.filter(case_id=case.pk)
        .select_related("recorded_by")
        .order_by("-at", "-id")
    )
    channels = {a.channel for a in rows}
    needs: list[str] = []
    missing_attempts = rules.min_outreach_attempts - len(rows)
    if missing_attempts > 0:
        needs.append(_("再联系 %(n)s 次") % {"n": missing_attempts})
    missing_channels = rules.min_outreach_channels - len(channels)
    if missing_channels > 0:
        needs.append(_("再换 %(n)s 种联系方式") % {"n": missing_channels})
    if rules.outreach_requires_relative and ContactChannel.RELATIVE not in channels:
        needs.append(_("联系亲属"))
    return OutreachProgress(
        attempts=[
            Attempt(
                at=a.at,
                channel=a.get_channel_display(),
                outcome=a.get_outcome_display(),
                reached=a.outcome == ContactOutcome.REACHED,
                notes=a.notes,
                by=_person(a.recorded_by),
            )
            for a in rows
        ],
        min_attempts=rules.min_outreach_attempts,
        min_channels=rules.min_outreach_channels,
        requires_relative=rules.outreach_requires_relative,
        needs=needs,
    )
