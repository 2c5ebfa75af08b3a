"""Issue 16 bug 6 and the public-notice route: a member who cannot be found is not "told" by
typing a date — the notice step asks how; by public notice (公告) the publication period runs
first, the notice is issued from the real step, and the defence period follows it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.errors import DomainError
from casework.models import CaseStatus, MemberStatus, Proposal
from documents.models import IssuerProfile
from tests.workflows.flow_helpers import open_case, open_nodes
from tests.workflows.route_helpers import (
    MEETING_PASSES,
    act,
    approve,
    kinds,
    last_document,
    not_located,
    text_of,
)
from workflows.case.drive import Clock
from workflows.case.outcomes import ROUTE_PENDING

pytestmark = pytest.mark.django_db


def _proposed(world, django_capture_on_commit_callbacks, kind="suspend"):
    IssuerProfile.objects.update_or_create(
        organisation=world.branch,
        defaults={"contact_person": "林晓东", "contact_phone": "0591-87654321"},
    )
    lost_since = timezone.localdate() - dt.timedelta(days=200)
    case = open_case(world, django_capture_on_commit_callbacks, last_contact_date=lost_since)
    case = not_located(world, case)
    case = act(case, "propose", kind=kind, reasons="经支委会研究")
    return act(case, "pre_review", decision="agree")


def test_a_lost_member_is_not_told_in_person_by_typing_a_date(
    world, django_capture_on_commit_callbacks
) -> None:
    case = _proposed(world, django_capture_on_commit_callbacks)
    for how in ("", "in_person"):
        with pytest.raises(DomainError) as refused:
            act(case, "notice", notified_on=timezone.localdate(), how=how)
        assert refused.value.code == "member_not_located"
    with pytest.raises(DomainError) as future:
        act(case, "notice", notified_on=timezone.localdate() + dt.timedelta(days=1), how="post")
    assert future.value.code == "notified_in_future"
    assert open_nodes(case) == ["notice"]
    assert Proposal.objects.get(case=case).notified_on is None
    case = act(case, "notice", notified_on=timezone.localdate(), how="family")
    assert open_nodes(case) == ["defence"]
    assert sorted(k for k in kinds(case) if k in ("defence_notice", "delivery_receipt")) == [
        "defence_notice",
        "delivery_receipt",
    ]


def test_a_suspension_by_public_notice_waits_for_the_publication_and_defence_periods(
    world, django_capture_on_commit_callbacks
) -> None:
    assert "public_notice" not in ROUTE_PENDING  # issued from the real notice step
    with Clock(timezone.localdate()).running() as clock:
        case = _proposed(world, django_capture_on_commit_callbacks)
        published = timezone.localdate()
        case = act(case, "notice", notified_on=published, how="public_notice")
        proposal = Proposal.objects.get(case=case)
        assert proposal.notice_published_on == published
        assert proposal.notified_on == published + dt.timedelta(days=30)
        assert proposal.defence_until == published + dt.timedelta(days=37)
        assert "defence_notice" not in kinds(case)
        notice = text_of(last_document(case, "public_notice"))
        assert "自本公告发布之日起30日内" in notice and "停止党籍" in notice
        # the periods are running: no defence, so the meeting must wait
        with pytest.raises(DomainError) as running:
            act(case, "defence", defence_text="")
        assert running.value.code == "defence_period_running"
        clock.advance(days=38)
        case = act(case, "defence", defence_text="")
        case = act(case, "meeting", **{**MEETING_PASSES, "held_on": timezone.localdate()})
        case = approve(case, world, decision="agree")
    assert case.status == CaseStatus.IN_FORCE
    assert case.member.status == MemberStatus.SUSPENDED


def test_public_notice_is_refused_for_a_member_who_was_found(
    world, django_capture_on_commit_callbacks
) -> None:
    from tests.workflows.flow_helpers import locate_and_assess

    case = locate_and_assess(world, open_case(world, django_capture_on_commit_callbacks))
    case = act(case, "propose", kind="correction", grounds=["slack_work"], reasons="研究")
    case = act(case, "pre_review", decision="agree")
    with pytest.raises(DomainError) as refused:
        act(case, "notice", notified_on=timezone.localdate(), how="public_notice")
    assert refused.value.code == "public_notice_not_applicable"
    case = act(case, "notice", notified_on=timezone.localdate(), how="in_person")
    assert open_nodes(case) == ["defence"]
