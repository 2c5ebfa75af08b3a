import datetime as dt

import pytest
from django.utils import timezone

from casework.errors import DomainError
from casework.models import AuditEvent, ContactAttempt, Member
from casework.services.ledgers import contact_attempt_record
from tests.factories import make_member


def test_a_reached_contact_moves_the_last_contact_date_forward_only(world) -> None:
    member = make_member(world.branch, last_contact_date=dt.date(2020, 1, 1))
    when = timezone.now() - dt.timedelta(days=3)
    contact_attempt_record(
        member=member, actor=world.officer, channel="phone", outcome="reached", at=when
    )
    assert Member.objects.get(pk=member.pk).last_contact_date == timezone.localdate(when)
    contact_attempt_record(
        member=member,
        actor=world.officer,
        channel="phone",
        outcome="reached",
        at=when - dt.timedelta(days=30),
    )
    assert Member.objects.get(pk=member.pk).last_contact_date == timezone.localdate(when)
    assert AuditEvent.objects.filter(action="contact.record").count() == 2


def test_an_unanswered_attempt_is_logged_but_is_not_contact(world) -> None:
    member = make_member(world.branch, last_contact_date=dt.date(2020, 1, 1))
    contact_attempt_record(member=member, actor=world.officer, channel="sms", outcome="no_answer")
    assert Member.objects.get(pk=member.pk).last_contact_date == dt.date(2020, 1, 1)
    assert ContactAttempt.objects.filter(member=member).count() == 1


@pytest.mark.parametrize(("channel", "outcome"), [("pigeon", "reached"), ("phone", "maybe")])
def test_unknown_channels_and_outcomes_are_refused(world, channel: str, outcome: str) -> None:
    member = make_member(world.branch)
    with pytest.raises(DomainError):
        contact_attempt_record(member=member, actor=world.officer, channel=channel, outcome=outcome)
    assert ContactAttempt.objects.count() == 0
