"""Contact duty (包干联系, measure 3): every member's contact officer contacts them at least
every `contact_cadence_days` of their key group (`default_contact_cadence_days` otherwise).

The daily sweep reminds the officer of each member whose next contact is due: one reminder per
member and window (ContactDueReminder, unique on the last-contact day the cadence counts from,
so a new contact opens a new window and a rerun sends nothing). Reminders are in-app
notifications, emailed through the outbox (NOTIFICATION_EMAIL) like every notification.
Members with an open case are left to the case's outreach. Set-based like the lost-contact
sweep: per chunk of organisations one INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.db.models import DateField, DateTimeField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.audit import audit_record
from casework.key_groups import cadence_limits, seen_before_q
from casework.models import (
    CLOSED_STATUSES,
    Case,
    ContactDueReminder,
    Member,
    MemberStatus,
    Notification,
)
from casework.outbox import outbox_enqueue
from casework.policy import rules_for
from casework.services.detection import detection_chunks
from casework.services.notifications import NOTIFICATION_EMAIL


def last_seen_expression() -> Coalesce:
    """The day the contact clock counts from (as for lost-contact detection)."""
    return Coalesce(
        "last_contact_date", "join_date", TruncDate("created_at"), output_field=DateField()
    )


def due_members(org_ids: list[int], as_of: dt.date) -> QuerySet[Any]:
    """Normal members of the organisations with a contact officer, no open case, and their
    next contact due on or before `as_of`."""
    open_case = Case.objects.filter(member_id=OuterRef("pk")).exclude(status__in=CLOSED_STATUSES)
    return (
        Member.objects.filter(
            organisation_id__in=org_ids,
            status=MemberStatus.NORMAL,
            contact_officer__isnull=False,
        )
        .annotate(last_seen=last_seen_expression())
        .filter(seen_before_q(cadence_limits(rules_for(as_of), as_of)))
        .exclude(Exists(open_case))
        .order_by()
    )


def _insert_reminders(select: QuerySet[Any]) -> list[tuple[int, int]]:
    sql, params = select.query.get_compiler(using=select.db).as_sql()
    table = connection.ops.quote_name(ContactDueReminder._meta.db_table)
    statement = (
        f"INSERT INTO {table} (member_id, last_seen, officer_id, created_at) {sql} "
        "ON CONFLICT DO NOTHING RETURNING member_id, officer_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return [(int(member), int(officer)) for member, officer in cursor.fetchall()]


def contact_due_remind(*, as_of: dt.date) -> int:
    """Remind officers of the members due for contact on `as_of`; returns reminders sent."""
    reminded = 0
    for org_ids in detection_chunks():
        now = timezone.now()
        with transaction.atomic():
            select = due_members(org_ids, as_of).values_list(
                "pk",
                "last_seen",
                "contact_officer_id",
                Value(now, output_field=DateTimeField()),
            )
            fresh = _insert_reminders(select)
            if not fresh:
                continue
            created = Notification.objects.bulk_create(
                [
                    Notification(
                        user_id=officer_id,
                        kind="member.contact_due",
                        title=str(_("您包干联系的党员已到联系周期，请按期联系")),
                        object_type="casework.member",
                        object_id=str(member_id),
                    )
                    for member_id, officer_id in fresh
                ],
                batch_size=5000,
            )
            ids = [n.pk for n in created if n.pk is not None]
            if ids:
                outbox_enqueue(NOTIFICATION_EMAIL, {"notification_ids": ids})
            audit_record(
                actor=None,
                action="contact.reminders",
                after={"as_of": as_of, "reminded": len(fresh)},
            )
            reminded += len(fresh)
    return reminded
