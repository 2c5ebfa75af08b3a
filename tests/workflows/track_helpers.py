"""Members on their own track (自行脱党, abroad five years), for the no-stall machine."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from casework.errors import DomainError
from casework.models import AbroadRecord, CaseTrack, Member, MemberStatus
from casework.policy import add_months
from casework.services.tracks import case_open_track


def member_takes_own_track(member: Member, abroad: bool, world: Any, today: dt.date) -> bool:
    """The ledgers say the member (reachable: called last month) has not come to
    organisational life for seven months, or has lived abroad since five years and a day;
    the officer opens the track case. False when the member is not on the register as
    normal (a case of theirs is open or decided)."""
    member = Member.objects.get(pk=member.pk)
    if member.status != MemberStatus.NORMAL:
        return False
    if abroad:
        left_on = add_months(today, -60) - dt.timedelta(days=1)
        AbroadRecord.objects.filter(member=member, returned_on__isnull=True).update(
            returned_on=today
        )
        AbroadRecord.objects.create(
            member=member, destination="加拿大", purpose="定居", left_on=left_on
        )
        Member.objects.filter(pk=member.pk).update(is_abroad=True)
    else:
        Member.objects.filter(pk=member.pk).update(
            is_abroad=False,
            last_contact_date=add_months(today, -1),
            last_org_life_date=add_months(today, -7),
        )
    track = CaseTrack.ABROAD if abroad else CaseTrack.SELF_WITHDRAWAL
    with contextlib.suppress(DomainError):
        case_open_track(
            member=Member.objects.get(pk=member.pk), actor=world.officer, track=track, as_of=today
        )
    return True
