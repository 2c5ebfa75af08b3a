"""Writing contact signals. A successful contact moves the member's last-contact date."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from casework.audit import audit_record
from casework.errors import DomainError
from casework.models import Case, ContactAttempt, ContactChannel, ContactOutcome, Member


def contact_attempt_record(
    *,
    member: Member,
    actor: AbstractBaseUser | None,
    channel: str,
    outcome: str,
    notes: str = "",
    at: dt.datetime | None = None,
    case: Case | None = None,
) -> ContactAttempt:
    """Log one attempt to reach a member; a 'reached' outcome counts as contact."""
    if channel not in ContactChannel.values:
        raise DomainError("联系方式无效。", code="invalid_channel")
    if outcome not in ContactOutcome.values:
        raise DomainError("联系结果无效。", code="invalid_outcome")
    when = at or timezone.now()
    if when > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError("联系时间不能晚于当前时间。", code="future_contact")
    if case is not None and case.member_id != member.pk:
        raise DomainError("联系记录与案件的党员不一致。", code="case_member_mismatch")
    with transaction.atomic():
        attempt = ContactAttempt.objects.create(
            member=member,
            case=case,
            channel=channel,
            outcome=outcome,
            notes=notes,
            at=when,
            recorded_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
        )
        if outcome == ContactOutcome.REACHED:
            day = timezone.localdate(when)
            # Compare-and-set: only ever move the date forward, whatever runs concurrently.
            Member.objects.filter(pk=member.pk).filter(
                Q(last_contact_date__isnull=True) | Q(last_contact_date__lt=day)
            ).update(last_contact_date=day)
        audit_record(
            actor=actor,
            action="contact.record",
            obj=attempt,
            organisation=member.organisation,
            after={"member": member.pk, "channel": channel, "outcome": outcome},
        )
    return attempt
