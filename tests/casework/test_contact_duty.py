"""Contact duty (measure 3): the key group's cadence sets the next contact; an overdue member
reminds their officer once per window (in-app and by email), and a new contact opens a new
window. Key groups also reach the at-risk threshold sooner (measure 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail
from django.utils import timezone

from casework.models import AuditEvent, ContactDueReminder, KeyGroup, Notification
from casework.selectors.ledgers import at_risk_list_for_user
from casework.selectors.prevention import contact_duty_list_for_user
from casework.services.cases import case_open
from casework.services.contact_duty import contact_due_remind
from casework.services.ledgers import contact_attempt_record
from casework.tasks import contact_due_reminders_task
from tests.factories import make_member

TODAY = timezone.localdate()


def _ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def _setup(world):
    world.officer.email = "officer@example.org"
    world.officer.save()
    officer = world.officer
    return {
        # migrant worker: contact every 30 days
        "migrant": make_member(
            world.branch,
            name="外出甲",
            key_groups=KeyGroup.MIGRANT,
            last_contact_date=_ago(40),
            contact_officer=officer,
        ),
        # no key group: every 90 days
        "recent": make_member(
            world.branch, name="本地乙", last_contact_date=_ago(40), contact_officer=officer
        ),
        "stale": make_member(
            world.branch, name="本地丙", last_contact_date=_ago(100), contact_officer=officer
        ),
        "in_case": make_member(
            world.branch,
            name="立案丁",
            key_groups=KeyGroup.MIGRANT,
            last_contact_date=_ago(40),
            contact_officer=officer,
        ),
        "no_officer": make_member(world.branch, name="无人戊", last_contact_date=_ago(100)),
    }


def test_the_officer_s_list_shows_the_next_contact_from_the_key_group_cadence(world) -> None:
    people = _setup(world)
    rows = list(contact_duty_list_for_user(user=world.officer, as_of=TODAY))
    by_name: dict[str, Any] = {m.name: m for m in rows}
    assert "无人戊" not in by_name
    assert by_name["外出甲"].due_on == _ago(10)  # 40 days ago + 30
    assert by_name["本地乙"].due_on == _ago(40) + dt.timedelta(days=90)
    assert by_name["本地丙"].due_on == _ago(10)
    assert [m.name for m in rows][-1] == "本地乙"  # soonest due first
    assert people["migrant"].pk in {m.pk for m in rows}
    # another branch's officer does not see them; a secretary reads the officer's list
    assert list(contact_duty_list_for_user(user=world.outsider, as_of=TODAY)) == []
    assert len(
        contact_duty_list_for_user(user=world.secretary, as_of=TODAY, officer_id=world.officer.pk)
    ) == len(rows)
    assert (
        list(
            contact_duty_list_for_user(
                user=world.outsider, as_of=TODAY, officer_id=world.officer.pk
            )
        )
        == []
    )


def test_an_overdue_contact_reminds_the_officer_once_per_window(
    world, django_capture_on_commit_callbacks
) -> None:
    people = _setup(world)
    case_open(member=people["in_case"], actor=world.officer)

    with django_capture_on_commit_callbacks(execute=True):
        assert contact_due_remind(as_of=TODAY) == 2
    reminded = set(ContactDueReminder.objects.values_list("member_id", flat=True))
    assert reminded == {people["migrant"].pk, people["stale"].pk}
    notes = Notification.objects.filter(kind="member.contact_due", user=world.officer)
    assert sorted(int(n.object_id) for n in notes) == sorted(reminded)
    assert len(mail.outbox) == 1 and "2 条新提醒" in mail.outbox[0].body
    assert "外出甲" not in mail.outbox[0].body  # no personal data in the email
    assert AuditEvent.objects.filter(action="contact.reminders").count() == 1

    # the same window again (the next day too): nothing new
    with django_capture_on_commit_callbacks(execute=True):
        assert contact_due_reminders_task.delay(TODAY.isoformat()).get() == 0
        assert contact_due_remind(as_of=TODAY + dt.timedelta(days=1)) == 0
    assert len(mail.outbox) == 1

    # a contact opens a new window; when it is overdue again, one more reminder
    contact_attempt_record(
        member=people["migrant"], actor=world.officer, channel="phone", outcome="reached"
    )
    assert contact_due_remind(as_of=TODAY + dt.timedelta(days=29)) == 0
    assert contact_due_remind(as_of=TODAY + dt.timedelta(days=30)) == 1
    assert contact_due_remind(as_of=TODAY + dt.timedelta(days=31)) == 0
    windows = ContactDueReminder.objects.filter(member=people["migrant"]).order_by("last_seen")
    assert [w.last_seen for w in windows] == [_ago(40), TODAY]


def test_key_group_members_are_at_risk_sooner(world) -> None:
    migrant = make_member(
        world.branch, name="务工", key_groups=KeyGroup.MIGRANT, last_contact_date=_ago(70)
    )
    make_member(world.branch, name="普通", last_contact_date=_ago(70))
    at_risk = {m.pk for m in at_risk_list_for_user(user=world.secretary, as_of=TODAY)}
    assert at_risk == {migrant.pk}  # two months for key groups, three for everyone else
