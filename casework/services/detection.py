"""Lost-contact detection (measures 3 and 10): the nightly sweep that opens cases.

A member is *lost* when their status is normal (probationary members included) and the day
the clock counts from — the last successful contact, organisational life, dues payment or
self-service confirmation (denormalised into `Member.last_contact_date`), else the join date,
else the day the record was created — lies on or before `as_of` minus the rule set's
`lost_after_months`. Exactly at the threshold counts as lost: six months without contact means
the six months are complete. A member is *at risk* when that day lies on or before `as_of`
minus `at_risk_after_months` (for key-group members the sooner `key_group_at_risk_months`,
see casework/key_groups.py) but after the lost threshold.

The sweep is set-based: per chunk of organisations one `INSERT … SELECT … ON CONFLICT DO
NOTHING RETURNING` opens the cases, relying on the partial unique index
`one_open_case_per_member`; the audit events are appended in bulk; at-risk reminders are one
more `INSERT … SELECT`. The query count depends on the number of chunks, never on members.
Concurrent sweeps over the same chunk are serialised by locking the chunk's organisation rows
(`FOR NO KEY UPDATE`, which does not block inserts of members or cases referencing them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Case as SqlCase
from django.db.models import (
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, JSONObject, TruncDate
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import hooks
from casework.audit import AuditEntry, audit_record_many
from casework.key_groups import at_risk_limits, seen_before_q
from casework.models import (
    CLOSED_STATUSES,
    AtRiskReminder,
    Case,
    CaseStatus,
    CaseTrack,
    Circumstance,
    KeyGroup,
    Member,
    MemberStatus,
    Notification,
    Organisation,
    TimelineEntry,
)
from casework.outbox import outbox_enqueue
from casework.policy import RuleSet, add_months, current_overrides, rules_for
from casework.services.notifications import NOTIFICATION_EMAIL
from casework.services.tracks import open_track_cases
from casework.sql_ids import ids_in

# Outbox kind of one chunk of the nightly sweep: {"org_ids": [...], "as_of": "YYYY-MM-DD"}.
DETECTION_CHUNK = "detection.chunk"
# A chunk is a list of organisation ids holding at most this many members (and ids).
CHUNK_MEMBERS = 50_000
CHUNK_ORGANISATIONS = 500


@dataclass
class DetectionResult:
    opened: int = 0
    at_risk: int = 0
    already_open: int = 0
    reminded: int = 0
    tracks_opened: int = 0  # 自行脱党 and abroad cases (casework/services/tracks.py)

    def __add__(self, other: DetectionResult) -> DetectionResult:
        return DetectionResult(
            opened=self.opened + other.opened,
            at_risk=self.at_risk + other.at_risk,
            already_open=self.already_open + other.already_open,
            reminded=self.reminded + other.reminded,
            tracks_opened=self.tracks_opened + other.tracks_opened,
        )

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Thresholds:
    rules: RuleSet
    lost_on_or_before: dt.date
    at_risk_on_or_before: dt.date  # for members in no key group
    at_risk_by_group: tuple[tuple[int, dt.date], ...] = ()  # key groups warn sooner

    @classmethod
    def for_day(cls, as_of: dt.date) -> Thresholds:
        rules = rules_for(as_of)
        return cls(
            rules=rules,
            lost_on_or_before=add_months(as_of, -rules.lost_after_months),
            at_risk_on_or_before=add_months(as_of, -rules.at_risk_after_months),
            at_risk_by_group=tuple(at_risk_limits(rules, as_of)),
        )

    def at_risk_q(self) -> Q:
        """Not yet lost, and past the member's own at-risk threshold (key groups sooner)."""
        return Q(last_seen__gt=self.lost_on_or_before) & seen_before_q(list(self.at_risk_by_group))


def detection_chunks(
    *,
    org: Organisation | None = None,
    max_members: int = CHUNK_MEMBERS,
    max_organisations: int = CHUNK_ORGANISATIONS,
) -> list[list[int]]:
    """Organisation ids holding normal members, grouped into chunks (one GROUP BY query)."""
    members = Member.objects.filter(status=MemberStatus.NORMAL)
    if org is not None:
        members = members.filter(organisation__path__startswith=org.path)
    counts = members.order_by("organisation_id").values("organisation_id").annotate(n=Count("id"))
    chunks: list[list[int]] = []
    current: list[int] = []
    size = 0
    for row in counts:
        if current and (size + row["n"] > max_members or len(current) >= max_organisations):
            chunks.append(current)
            current, size = [], 0
        current.append(row["organisation_id"])
        size += row["n"]
    if current:
        chunks.append(current)
    return chunks


def detect_lost_contact(
    *, as_of: dt.date, org: Organisation | None = None, dry_run: bool = False
) -> DetectionResult:
    """Sweep `org`'s subtree (or everything): open cases, remind officers. One transaction per
    chunk, so a failure leaves earlier chunks done and the rerun idempotent."""
    total = DetectionResult()
    for org_ids in detection_chunks(org=org):
        total += detect_lost_contact_chunk(org_ids=org_ids, as_of=as_of, dry_run=dry_run)
    return total


def _members(org_ids: Sequence[int]) -> QuerySet[Any]:
    """Normal members of the chunk, annotated with the day their clock counts from."""
    return (
        Member.objects.filter(organisation_id__in=ids_in(org_ids), status=MemberStatus.NORMAL)
        .annotate(
            last_seen=Coalesce(
                "last_contact_date",
                "join_date",
                TruncDate("created_at"),
                output_field=DateField(),
            ),
            has_open_case=Exists(
                Case.objects.filter(member_id=OuterRef("pk")).exclude(status__in=CLOSED_STATUSES)
            ),
        )
        .order_by()
    )


def _has_group(group: KeyGroup) -> Exact[int]:
    return Exact(F("key_groups").bitand(group.value), group.value)


def _circumstance_guess() -> SqlCase:
    """The circumstance code a case officer would most likely pick; they can change it."""
    return SqlCase(
        When(is_abroad=True, then=Value(Circumstance.ABROAD.value)),
        When(_has_group(KeyGroup.MIGRANT), then=Value(Circumstance.MIGRANT.value)),
        When(_has_group(KeyGroup.RESTRUCTURED), then=Value(Circumstance.RESTRUCTURED.value)),
        When(_has_group(KeyGroup.GRADUATE), then=Value(Circumstance.GRADUATE.value)),
        When(is_mobile=True, then=Value(Circumstance.MIGRANT.value)),
        When(
            Q(occupation__contains="务工") | Q(occupation__contains="经商"),
            then=Value(Circumstance.MIGRANT.value),
        ),
        When(
            Q(occupation__contains="学生") | Q(occupation__contains="毕业"),
            then=Value(Circumstance.GRADUATE.value),
        ),
        When(_has_group(KeyGroup.TALENT_CENTRE), then=Value(Circumstance.CHANGED_EMPLOYER.value)),
        When(_has_group(KeyGroup.ELSEWHERE), then=Value(Circumstance.MOVED.value)),
        When(_has_group(KeyGroup.RETIRED_SEPARATED), then=Value(Circumstance.MOVED.value)),
        When(_has_group(KeyGroup.MOBILE_YOUNG), then=Value(Circumstance.MOVED.value)),
        default=Value(Circumstance.OTHER.value),
    )


def _insert_select(
    table: str, columns: Iterable[str], select: QuerySet[Any], returning: str = ""
) -> list[tuple[Any, ...]]:
    """INSERT … SELECT … ON CONFLICT DO NOTHING, with RETURNING when asked."""
    sql, params = select.query.get_compiler(using=select.db).as_sql()
    statement = (
        f"INSERT INTO {connection.ops.quote_name(table)} ({', '.join(columns)}) "
        f"{sql} ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        if not returning:
            cursor.execute(statement, params)
            return []
        cursor.execute(f"{statement} RETURNING {returning}", params)
        return list(cursor.fetchall())


def _counts(members: QuerySet[Any], limits: Thresholds) -> DetectionResult:
    lost = Q(last_seen__lte=limits.lost_on_or_before)
    at_risk = limits.at_risk_q()
    figures = members.aggregate(
        lost_new=Count("id", filter=lost & Q(has_open_case=False)),
        already_open=Count("id", filter=lost & Q(has_open_case=True)),
        at_risk=Count("id", filter=at_risk & Q(has_open_case=False)),
    )
    return DetectionResult(
        opened=figures["lost_new"],
        at_risk=figures["at_risk"],
        already_open=figures["already_open"],
    )


def detect_lost_contact_chunk(
    *, org_ids: Sequence[int], as_of: dt.date, dry_run: bool = False
) -> DetectionResult:
    """Detect within one chunk of organisations, in one transaction, with a fixed query count."""
    limits = Thresholds.for_day(as_of)
    members = _members(org_ids)
    if dry_run:
        with transaction.atomic():
            _without_jit()
            return _counts(members, limits)
    now = timezone.now()
    with transaction.atomic():
        _without_jit()
        # Serialise concurrent sweeps of the same chunk (a no-op on SQLite, which has one writer).
        list(
            Organisation.objects.select_for_update(no_key=True)
            .filter(pk__in=ids_in(org_ids))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        counts = _counts(members, limits)
        opened = _open_cases(members, limits, as_of=as_of, now=now)
        reminders = _remind_at_risk(members, limits, now=now)
        entries = [
            AuditEntry(
                action="case.open",
                organisation_id=org_id,
                object_type="casework.case",
                object_id=str(case_id),
                after={
                    "member": member_id,
                    "status": CaseStatus.REGISTERED.value,
                    "rule_set": limits.rules.code,
                    "source": "detection",
                    "as_of": as_of.isoformat(),
                },
            )
            for case_id, member_id, org_id in opened
        ]
        audit_record_many(entries)
        _timeline_opened(org_ids, as_of=as_of, now=now)
        notification_ids = _notify_officers(org_ids, now=now) if reminders else []
        hooks.cases_opened.run_now([case_id for case_id, _member_id, _org_id in opened])
        if notification_ids:
            outbox_enqueue(NOTIFICATION_EMAIL, {"notification_ids": notification_ids})
        tracks = open_track_cases(org_ids=org_ids, as_of=as_of, now=now)
    return DetectionResult(
        opened=len(opened),
        at_risk=counts.at_risk,
        already_open=counts.already_open + (counts.opened - len(opened)),
        reminded=len(reminders),
        tracks_opened=sum(tracks.values()),
    )


def _without_jit() -> None:
    """PostgreSQL's JIT spends over a second compiling these (cheap) queries: off for this
    transaction only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def _open_cases(
    members: QuerySet[Any], limits: Thresholds, *, as_of: dt.date, now: dt.datetime
) -> list[tuple[int, int, int]]:
    """One INSERT … SELECT; returns (case id, member id, organisation id) of the new cases."""
    select = members.filter(last_seen__lte=limits.lost_on_or_before, has_open_case=False).annotate(
        c_status=Value(CaseStatus.REGISTERED.value),
        c_circumstance=_circumstance_guess(),
        c_rule_set=Value(limits.rules.code),
        c_evidence=JSONObject(
            as_of=Value(as_of.isoformat()),
            rule_set=Value(limits.rules.code),
            lost_after_months=Value(limits.rules.lost_after_months),
            lost_on_or_before=Value(limits.lost_on_or_before.isoformat()),
            last_seen=F("last_seen"),
            last_contact_date=F("last_contact_date"),
            last_org_life_date=F("last_org_life_date"),
            dues_paid_until=F("dues_paid_until"),
            join_date=F("join_date"),
            is_mobile=F("is_mobile"),
            is_abroad=F("is_abroad"),
            key_groups=F("key_groups"),
        ),
        c_now=Value(now, output_field=DateTimeField()),
    )
    columns = [
        "member_id",
        "organisation_id",
        "status",
        "circumstance",
        "rule_set",
        "evidence",
        "opened_at",
        "updated_at",
    ]
    # Every other NOT NULL column gets its model default, so new Case fields need no change here.
    defaults = {
        f"c_default_{field.column}": Value(field.get_default(), output_field=field)
        for field in Case._meta.concrete_fields
        if not (field.primary_key or field.null or field.column in columns)
    }
    # the overrides in force now are pinned on the case (casework.policy.rules_of_case)
    pinned = Case._meta.get_field("rule_overrides")
    defaults["c_default_rule_overrides"] = Value(current_overrides(), output_field=pinned)
    select = select.annotate(**defaults).values_list(
        "pk",
        "organisation_id",
        "c_status",
        "c_circumstance",
        "c_rule_set",
        "c_evidence",
        "c_now",
        "c_now",
        *defaults,
    )
    columns += [name.removeprefix("c_default_") for name in defaults]
    rows = _insert_select(
        Case._meta.db_table, columns, select, returning="id, member_id, organisation_id"
    )
    return [(int(a), int(b), int(c)) for a, b, c in rows]


def _remind_at_risk(
    members: QuerySet[Any], limits: Thresholds, *, now: dt.datetime
) -> list[tuple[int, int, int | None]]:
    """One reminder row per member and window; returns (reminder, member, officer) of new ones."""
    select = (
        members.filter(limits.at_risk_q(), has_open_case=False)
        .annotate(c_now=Value(now, output_field=DateTimeField()))
        .values_list("pk", "last_seen", "contact_officer_id", "c_now")
    )
    rows = _insert_select(
        AtRiskReminder._meta.db_table,
        ["member_id", "last_seen", "officer_id", "created_at"],
        select,
        returning="id, member_id, officer_id",
    )
    return [(int(a), int(b), int(c) if c is not None else None) for a, b, c in rows]


def _timeline_opened(org_ids: Sequence[int], *, as_of: dt.date, now: dt.datetime) -> None:
    """The timeline entry of every case this sweep opened in the chunk, in one INSERT … SELECT.
    The cases are told by their opening instant: `now` is this chunk's own, and concurrent
    sweeps of the chunk are serialised by its organisation locks."""
    select = (
        Case.objects.filter(
            organisation_id__in=ids_in(org_ids), opened_at=now, track=CaseTrack.LOST_CONTACT
        )
        .order_by()
        .annotate(
            t_at=Value(now, output_field=DateTimeField()),
            t_action=Value("case.open"),
            t_from=Value(""),
            t_to=Value(CaseStatus.REGISTERED.value),
            t_comment=Value(str(_("失联排查自动立案"))),
            t_details=JSONObject(
                member=F("member_id"), source=Value("detection"), as_of=Value(str(as_of))
            ),
        )
        .values_list("pk", "t_at", "t_action", "t_from", "t_to", "t_comment", "t_details")
    )
    columns = ["case_id", "at", "action", "from_status", "to_status", "comment", "details"]
    _insert_select(TimelineEntry._meta.db_table, columns, select)


def _notify_officers(org_ids: Sequence[int], *, now: dt.datetime) -> list[int]:
    """A notification to the contact officer of each member reminded in the chunk just now,
    in one INSERT … SELECT; returns the notification ids (for the email job)."""
    select = (
        AtRiskReminder.objects.filter(
            member__organisation_id__in=ids_in(org_ids), created_at=now, officer__isnull=False
        )
        .order_by()
        .annotate(
            n_kind=Value("member.at_risk"),
            n_title=Value(str(_("您包干联系的党员已进入失联预警期，请尽快联系"))),
            n_body=Value(""),
            n_type=Value("casework.member"),
            n_object=Cast("member_id", output_field=CharField()),
            n_at=Value(now, output_field=DateTimeField()),
        )
        .values_list("officer_id", "n_kind", "n_title", "n_body", "n_type", "n_object", "n_at")
    )
    columns = ["user_id", "kind", "title", "body", "object_type", "object_id", "created_at"]
    rows = _insert_select(Notification._meta.db_table, columns, select, returning="id")
    return [int(row[0]) for row in rows]
