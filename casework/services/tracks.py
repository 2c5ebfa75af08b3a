"""Cases on their own track (issue 16): 自行脱党 and members abroad for five years or more.

- **自行脱党** (《中国共产党章程》第九条): a member the branch can reach who, without good
  reason, for `self_withdrawal_months` (6) consecutive months took part in no organisational
  life, or paid no dues. The clocks read the ledgers' own dates (`last_org_life_date`,
  `dues_paid_until`), never `last_contact_date`: an answered phone call resets neither. Good
  reason, as the records can show it: an excused absence (请假) from a meeting inside the
  window excuses the organisational-life clock; an open abroad record excuses both. A missing
  date is no evidence (the member gets no case from it). The third ground of the article,
  not doing the work the party assigns, has no record in this system: it is not detected.
- **Abroad** (2019 rules): a full member flagged abroad with an open abroad record (not
  returned) whose purpose is settling or study, who left `abroad_suspension_years` (5) or more
  years ago.

Such a case opens at the proposal (status `proposal`, no search: the member is not lost) and
allows one outcome, on its ground: removal (除名) by the branch meeting with the committee's
approval, or suspension (停止党籍) — casework.services.cases.decision._check_track.

The sweep is set-based like the lost-contact sweep it runs inside (detection.py): per chunk
one `INSERT … SELECT … UNION ALL … ON CONFLICT DO NOTHING RETURNING` for both tracks, after
the lost-contact cases (a lost member gets the lost-contact case; the partial unique index
keeps one open case per member), then the audit events, timeline entries and the flow's start
in bulk. A case of the same track opened within the window (e.g. withdrawn for a good reason
the records do not show), or any case closed within it, keeps the member out until the window
has passed anew.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import DateField, DateTimeField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, JSONObject, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy

from casework import hooks
from casework.access import has_role_over
from casework.audit import AuditEntry, audit_record_many
from casework.errors import Conflict, DomainError, PermissionDenied
from casework.models import (
    CLOSED_STATUSES,
    AbroadRecord,
    Attendance,
    AttendanceStatus,
    Case,
    CaseStatus,
    CaseTrack,
    Circumstance,
    Member,
    MembershipType,
    MemberStatus,
    TimelineEntry,
)
from casework.models.cases import BRANCH_STAFF
from casework.policy import RuleSet, add_months, current_overrides, rules_for
from casework.services.transitions import Actor, record_step
from casework.sql_ids import ids_in

# An abroad record counts for the abroad track when its purpose says settling or study.
ABROAD_PURPOSES = ("定居", "留学", "学习", "研究", "进修", "访学")
OPENED_AS = CaseStatus.PROPOSAL
TRACKS = (CaseTrack.ABROAD, CaseTrack.SELF_WITHDRAWAL)  # the order the sweep opens them in


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _abroad_records(rules: RuleSet, as_of: dt.date) -> QuerySet[Any]:
    purpose = Q()
    for word in ABROAD_PURPOSES:
        purpose |= Q(purpose__contains=word)
    left_before = add_months(as_of, -12 * rules.abroad_suspension_years)
    return AbroadRecord.objects.filter(
        purpose, member_id=OuterRef("pk"), returned_on__isnull=True, left_on__lte=left_before
    ).order_by("left_on", "pk")


def eligible(members: QuerySet[Any], track: str, *, as_of: dt.date) -> QuerySet[Any]:
    """The members of `members` the track's rule reaches on `as_of`, with no open case, no
    case of that track opened and no case of any track closed within the window (a case just
    decided — found and returned to normal management, say — governs until the window has
    passed anew); annotated with the evidence (`t_*`)."""
    rules = rules_for(as_of)
    window = add_months(as_of, -rules.self_withdrawal_months)
    since = _day_start(window)
    recent_same_track = Case.objects.filter(
        Q(track=track, opened_at__gte=since) | Q(closed_at__gte=since), member_id=OuterRef("pk")
    )
    lost_on_or_before = add_months(as_of, -rules.lost_after_months)
    # dues are paid by the month (paid_until = the month's 1st): N whole months unpaid after it
    dues_limit = add_months(as_of, -(rules.self_withdrawal_months + 1))
    # the cheap column tests first (SQL evaluates the WHERE in this order): the correlated
    # subqueries below then run only for the few members these leave
    members = members.filter(status=MemberStatus.NORMAL)
    if track == CaseTrack.ABROAD:
        members = members.filter(is_abroad=True, membership_type=MembershipType.FULL)
    else:
        members = members.filter(
            Q(last_org_life_date__lte=window) | Q(dues_paid_until__lte=dues_limit)
        )
    members = members.alias(
        t_open=Exists(
            Case.objects.filter(member_id=OuterRef("pk")).exclude(status__in=CLOSED_STATUSES)
        ),
        t_recent=Exists(recent_same_track),
    ).filter(t_open=False, t_recent=False)
    if track == CaseTrack.ABROAD:
        records = _abroad_records(rules, as_of)
        abroad: QuerySet[Any] = members.annotate(
            t_abroad=Exists(records),
            t_left_on=records.values("left_on")[:1],
            t_record=records.values("pk")[:1],
        ).filter(t_abroad=True)
        return abroad
    if track != CaseTrack.SELF_WITHDRAWAL:
        raise DomainError(gettext_lazy("案件类型无效。"), code="invalid_track")
    excused = Attendance.objects.filter(
        member_id=OuterRef("pk"),
        status=AttendanceStatus.EXCUSED,
        meeting__held_on__gt=window,
        meeting__held_on__lte=as_of,
    )
    abroad_now = AbroadRecord.objects.filter(
        member_id=OuterRef("pk"), returned_on__isnull=True, left_on__lte=as_of
    )
    no_org_life = Q(last_org_life_date__lte=window, t_excused=False)
    no_dues = Q(dues_paid_until__lte=dues_limit)
    lapsed: QuerySet[Any] = (
        members.annotate(
            t_seen=Coalesce(
                "last_contact_date", "join_date", TruncDate("created_at"), output_field=DateField()
            ),
            t_excused=Exists(excused),
            t_abroad_now=Exists(abroad_now),
        )
        .filter(t_seen__gt=lost_on_or_before, t_abroad_now=False)  # reachable, not abroad
        .filter(no_org_life | no_dues)
        .annotate(t_no_org_life=no_org_life, t_no_dues=no_dues)
    )
    return lapsed


def _evidence(track: str, rules: RuleSet, as_of: dt.date) -> JSONObject:
    common: dict[str, Any] = {
        "as_of": Value(as_of.isoformat()),
        "rule_set": Value(rules.code),
        "track": Value(str(track)),
        "last_contact_date": F("last_contact_date"),
        "last_org_life_date": F("last_org_life_date"),
        "dues_paid_until": F("dues_paid_until"),
    }
    if track == CaseTrack.ABROAD:
        return JSONObject(
            **common,
            abroad_suspension_years=Value(rules.abroad_suspension_years),
            abroad_record=F("t_record"),
            left_on=F("t_left_on"),
        )
    return JSONObject(
        **common,
        self_withdrawal_months=Value(rules.self_withdrawal_months),
        no_org_life=F("t_no_org_life"),
        no_dues=F("t_no_dues"),
    )


def _case_rows(select: QuerySet[Any], *, track: str, as_of: dt.date, now: dt.datetime) -> Any:
    """The Case columns of a new track case per selected member, as a values_list."""
    rules = rules_for(as_of)
    circumstance = Circumstance.ABROAD if track == CaseTrack.ABROAD else Circumstance.OTHER
    fixed = {
        "status": Value(OPENED_AS.value),
        "track": Value(str(track)),
        "circumstance": Value(circumstance.value),
        "rule_set": Value(rules.code),
        "evidence": _evidence(track, rules, as_of),
        "opened_at": Value(now, output_field=DateTimeField()),
        "updated_at": Value(now, output_field=DateTimeField()),
    }
    pinned = Case._meta.get_field("rule_overrides")
    fixed["rule_overrides"] = Value(current_overrides(), output_field=pinned)
    # every other NOT NULL column gets its model default
    for field in Case._meta.concrete_fields:
        if field.primary_key or field.null or field.column in fixed:
            continue
        if field.column not in ("member_id", "organisation_id"):
            fixed[field.column] = Value(field.get_default(), output_field=field)
    aliases = {f"c_{column}": value for column, value in fixed.items()}
    columns = ["member_id", "organisation_id", *fixed]
    return columns, select.annotate(**aliases).values_list("pk", "organisation_id", *aliases)


def _insert_cases(
    members: QuerySet[Any], tracks: Sequence[str], *, as_of: dt.date, now: dt.datetime
) -> list[tuple[int, int, int, str]]:
    """One INSERT … SELECT (a UNION ALL over the tracks) … ON CONFLICT DO NOTHING; returns
    (case, member, organisation, track) of the new rows."""
    selects = [
        _case_rows(eligible(members, track, as_of=as_of), track=track, as_of=as_of, now=now)
        for track in tracks
    ]
    columns = selects[0][0]
    rows = selects[0][1]
    if len(selects) > 1:
        rows = rows.union(*(query for _columns, query in selects[1:]), all=True)
    sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    statement = (
        f"INSERT INTO {connection.ops.quote_name(Case._meta.db_table)} ({', '.join(columns)}) "
        f"{sql} ON CONFLICT DO NOTHING RETURNING id, member_id, organisation_id, track"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return [(int(a), int(b), int(c), str(d)) for a, b, c, d in cursor.fetchall()]


_OPENED_COMMENT = {
    CaseTrack.SELF_WITHDRAWAL: gettext_lazy("自行脱党排查自动立案"),
    CaseTrack.ABROAD: gettext_lazy("出国（境）定居或学习满规定年限自动立案"),
}


def open_track_cases(*, org_ids: Sequence[int], as_of: dt.date, now: dt.datetime) -> dict[str, int]:
    """Open the track cases of one chunk of organisations, in the caller's transaction (the
    lost-contact sweep's, after its own cases). Returns the number opened per track. The
    query count is fixed: one INSERT for both tracks, and when something opened the audit events,
    the timeline entries and the flow's start."""
    members = Member.objects.filter(organisation_id__in=ids_in(org_ids)).order_by()
    opened = _insert_cases(members, TRACKS, as_of=as_of, now=now)
    if opened:
        audit_record_many(
            [
                AuditEntry(
                    action="case.open",
                    organisation_id=org_id,
                    object_type="casework.case",
                    object_id=str(case_id),
                    after={
                        "member": member_id,
                        "status": OPENED_AS.value,
                        "track": track,
                        "source": "detection",
                        "as_of": as_of.isoformat(),
                    },
                )
                for case_id, member_id, org_id, track in opened
            ]
        )
        TimelineEntry.objects.bulk_create(
            [
                TimelineEntry(
                    case_id=case_id,
                    at=now,
                    action="case.open",
                    from_status="",
                    to_status=OPENED_AS.value,
                    comment=str(_OPENED_COMMENT[CaseTrack(track)]),
                    details={"member": member_id, "track": track, "source": "detection"},
                )
                for case_id, member_id, _org_id, track in opened
            ],
            batch_size=5000,
        )
        hooks.cases_opened.run_now([case_id for case_id, *_rest in opened])
    return {track: sum(1 for *_rest, t in opened if t == track) for track in TRACKS}


def case_open_track(
    *, member: Member, actor: Actor, track: str, reason: str = "", as_of: dt.date | None = None
) -> Case:
    """An officer opens a track case for one member (or the sweep's rule for one member):
    refused unless the member meets the track's rule on `as_of` (today) by the records."""
    as_of = as_of or timezone.localdate()
    if track not in (CaseTrack.SELF_WITHDRAWAL, CaseTrack.ABROAD):
        raise DomainError(gettext_lazy("案件类型无效。"), code="invalid_track")
    if actor is not None and not has_role_over(actor, member.organisation, BRANCH_STAFF):
        raise PermissionDenied(gettext_lazy("只有本支部的联系人或支部书记可以登记案件。"))
    if member.status != MemberStatus.NORMAL:
        raise DomainError(
            gettext_lazy("该党员党籍状态不是正常，不能登记案件。"), code="member_not_normal"
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            Member.objects.select_for_update(no_key=True).filter(pk=member.pk).first()
            if Case.objects.filter(member=member).exclude(status__in=CLOSED_STATUSES).exists():
                raise Conflict(
                    gettext_lazy("该党员已有未结案件，不能重复立案。"), code="case_already_open"
                )
            one = Member.objects.filter(pk=member.pk)
            rows = _insert_cases(one, [track], as_of=as_of, now=now)
            if not rows:
                months = rules_for(as_of).self_withdrawal_months
                raise DomainError(
                    _NOT_ELIGIBLE[CaseTrack(track)] % {"months": months}, code="track_not_met"
                )
            case = Case.objects.select_related("member", "organisation").get(pk=rows[0][0])
            Case.objects.filter(pk=case.pk).update(opened_by_id=actor.pk if actor else None)
            case.opened_by_id = actor.pk if actor else None
            record_step(
                case=case,
                actor=actor,
                action="case.open",
                before="",
                after=case.status,
                comment=reason or str(_OPENED_COMMENT[CaseTrack(track)]),
                details={"member": member.pk, "track": track, "source": "officer"},
            )
            hooks.cases_opened.run_now([case.pk], actor)
    except IntegrityError as exc:  # the partial unique index backs the check above
        raise Conflict(
            gettext_lazy("该党员已有未结案件，不能重复立案。"), code="case_already_open"
        ) from exc
    return case


_NOT_ELIGIBLE = {
    CaseTrack.SELF_WITHDRAWAL: gettext_lazy(
        "按台账记录，该党员不符合自行脱党的条件（能够取得联系，但连续%(months)s个月无正当理由"
        "不参加党的组织生活或不交纳党费），或近期已登记过同类案件。"
    ),
    CaseTrack.ABROAD: gettext_lazy(
        "按出国（境）登记，该党员不符合出国（境）定居或学习满规定年限的条件，"
        "或近期已登记过同类案件。"
    ),
}
