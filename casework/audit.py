"""Writing and verifying the audit trail.

Every state change, personal-data reveal, export, import and document issue calls
`audit_record` inside its own transaction. Events are chained per stream (one stream per
organisation, plus "system"): appending locks only that stream's head row — the last lock a
service takes — so unrelated organisations never wait on each other.

Each event's hash is an HMAC keyed with a secret held outside the database
(casework.audit_keys), over the event's content and the previous event's hash. On PostgreSQL
the database refuses to change or delete events and to move a stream head backwards
(migrations 0002 and 0010); a database superuser who disables those triggers still cannot
recompute a valid chain without the key, and cannot cut the end of a stream without the
anchors written outside the database noticing (casework.audit_anchors).

Events written before the keys existed (key id "") keep their plain SHA-256 chain; the
migration that introduced the keys sealed every such stream with a keyed `audit.seal` event,
and an unkeyed event after a keyed one is a break.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, connections, models, transaction
from django.utils import timezone

from casework import combined_writes
from casework.audit_keys import UnknownKey, known_key_ids, sign, signing_key_id
from casework.bulk_copy import insert_values
from casework.combined_writes import Write
from casework.models import AuditEvent, AuditStream, Organisation
from casework.request_id import current_request_id

GENESIS = "0" * 64
EVENT_DOMAIN = b"lianluo-audit-event-v2\n"


def _stream_key(organisation: Organisation | None) -> str:
    return f"org:{organisation.pk}" if organisation is not None else "system"


def _request_id() -> str:
    # Set by web's middleware per request and by the outbox relay per message; else "-".
    value = current_request_id()
    return "" if value == "-" else value


def _instant(at: dt.datetime) -> str:
    """The moment in UTC, as the database returns it: the hash covers the instant, not the
    time zone a clock happened to answer in."""
    return (at.astimezone(dt.UTC) if timezone.is_aware(at) else at).isoformat()


def _canonical(event: AuditEvent) -> bytes:
    return _canonical_values(event.__dict__)


def _canonical_values(event: Mapping[str, Any]) -> bytes:
    """The hashed form of an event given as {attname: value} (an instance's __dict__ or a row
    about to be written)."""
    payload = {
        "stream": event["stream"],
        "seq": event["seq"],
        "at": _instant(event["at"]),
        "actor": event["actor_id"],
        "actor_role": event["actor_role"],
        "organisation": event["organisation_id"],
        "action": event["action"],
        "object_type": event["object_type"],
        "object_id": event["object_id"],
        "before": event["before"],
        "after": event["after"],
        "reason": event["reason"],
        "request_id": event["request_id"],
        "prev_hash": event["prev_hash"],
    }
    if event["key_id"]:
        payload["key_id"] = event["key_id"]
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()


def compute_hash(event: AuditEvent) -> str:
    """The event's HMAC under the key it names (plain SHA-256 for pre-key events).
    Raises UnknownKey when that key is not configured."""
    if not event.key_id:
        return hashlib.sha256(_canonical(event)).hexdigest()
    return sign(EVENT_DOMAIN + _canonical(event), kid=event.key_id)


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: models.Model | None = None,
    organisation: Organisation | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    actor_role: str = "",
) -> AuditEvent:
    """Append one event to its organisation's chain. Must run inside the caller's transaction,
    after the caller's own row locks (the stream lock comes last)."""
    event, _ = audit_record_with(
        (),
        actor=actor,
        action=action,
        obj=obj,
        organisation=organisation,
        before=before,
        after=after,
        reason=reason,
        actor_role=actor_role,
    )
    return event


def audit_record_with(
    writes: Sequence[Write],
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: models.Model | None = None,
    organisation: Organisation | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    actor_role: str = "",
) -> tuple[AuditEvent, list[Any]]:
    """`audit_record`, with the step's own `writes` (casework.combined_writes: rows the caller
    already holds or creates) sent in the same statement on PostgreSQL. Returns the event and
    what the writes returned.

    The append is a compare-and-set on the stream head: the event is chained to the head this
    connection last wrote or saw, and the head moves only if it is still that one
    (`UPDATE … WHERE seq = … AND head_hash = …`, which waits for a concurrent appender's
    commit like the row lock does). Otherwise — another process appended, a rollback, the
    first event on this connection — the head is locked and read (`SELECT … FOR UPDATE`) and
    the event chained to it: correct in every case, one more statement when the guess was
    wrong."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside transaction.atomic()")
    key = _stream_key(organisation)
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        stream=key,
        at=timezone.now(),
        actor=user,  # type: ignore[misc]
        actor_role=actor_role,
        organisation=organisation,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        before=_jsonable(before or {}),
        after=_jsonable(after or {}),
        reason=reason,
        request_id=_request_id(),
        key_id=signing_key_id(),
    )
    heads = _known_heads()
    head = heads.get(key)
    results: list[Any] = [None] * len(writes)
    if head is not None:
        appended, results = _append(event, head, writes)
        if appended:
            heads[key] = (head[0], event.seq, event.hash)
            return event, results
        writes = ()  # they ran; only the append is left
    head = _lock_stream(key)
    appended, more = _append(event, head, writes)
    if not appended:  # we hold the head's row: it cannot have moved
        raise RuntimeError(f"audit stream {key} moved under its lock")
    heads[key] = (head[0], event.seq, event.hash)
    return event, (more if any(w.returns for w in writes) else results)


Head = tuple[int, int, str]  # (stream id, seq, head hash)


def _known_heads() -> dict[str, Head]:
    """The stream heads this connection last wrote or read (a guess, checked on use)."""
    wrapper = connections[connection.alias] if hasattr(connection, "alias") else connection
    heads: dict[str, Head] | None = getattr(wrapper, "_lianluo_audit_heads", None)
    name = str(wrapper.settings_dict.get("NAME"))
    if heads is None or getattr(wrapper, "_lianluo_audit_db", None) != name:
        heads = {}
        wrapper._lianluo_audit_heads = heads  # type: ignore[attr-defined]
        wrapper._lianluo_audit_db = name  # type: ignore[attr-defined]
    return heads


def _lock_stream(key: str) -> Head:
    """Lock the stream's head row; returns (stream id, its seq, its head hash). The very
    first event of a stream creates the row."""
    locked = AuditStream.objects.select_for_update().filter(key=key)
    row = locked.values_list("id", "seq", "head_hash").first()
    if row is None:
        AuditStream.objects.bulk_create([AuditStream(key=key)], ignore_conflicts=True)
        row = locked.values_list("id", "seq", "head_hash").get()
    return int(row[0]), int(row[1]), str(row[2])


def _append(event: AuditEvent, head: Head, writes: Sequence[Write]) -> tuple[bool, list[Any]]:
    """Chain `event` to `head`, then insert it and move the head onto it if the head is still
    `head`: (appended, what `writes` returned). On PostgreSQL one statement (the writes, the
    guarded head UPDATE and the event's INSERT … SELECT FROM it, as CTEs); elsewhere the writes,
    the guarded UPDATE and the INSERT."""
    stream_id, seq, prev_hash = head
    event.seq = seq + 1
    event.prev_hash = prev_hash or GENESIS
    event.hash = compute_hash(event)
    table = connection.ops.quote_name(AuditStream._meta.db_table)
    guarded = (
        f"UPDATE {table} SET seq = %s, head_hash = %s "  # noqa: S608
        "WHERE id = %s AND seq = %s AND head_hash = %s"
    )
    guard: list[Any] = [event.seq, event.hash, stream_id, seq, prev_hash]
    if connection.vendor != "postgresql":
        done = combined_writes.run(writes)
        with connection.cursor() as cursor:
            cursor.execute(guarded, guard)
            if cursor.rowcount != 1:
                return False, done
        event.save(force_insert=True)
        return True, done
    insert = combined_writes.insert(event, returning=True)
    head_sql = insert.sql.split(" VALUES (", 1)[0]
    values = insert.sql.split(" VALUES (", 1)[1]
    placeholders, returning = values.rsplit(")", 1)
    ev = f"{head_sql} SELECT {placeholders} FROM h{returning}"  # noqa: S608
    sql, params, returning_parts = combined_writes.statement(
        writes,
        extra_ctes=[("h", f"{guarded} RETURNING id", guard), ("ev", ev, list(insert.params))],
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    results: list[Any] = [None] * len(writes)
    for i, value in zip(returning_parts, row, strict=False):
        results[i] = value
    event_id = row[-1]
    if event_id is None:
        return False, results
    event.pk = event_id
    event._state.adding = False
    event._state.db = connection.alias
    return True, results


@dataclass(frozen=True)
class AuditEntry:
    """One event for `audit_record_many`, described by ids so callers need no model instances."""

    action: str
    organisation_id: int | None = None
    object_type: str = ""
    object_id: str = ""
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    actor_id: int | None = None
    actor_role: str = ""


def audit_record_many(entries: Sequence[AuditEntry]) -> int:
    """Append many events cheaply: each stream is locked once, the chain is computed in Python
    and the events are bulk-inserted. Must run inside the caller's transaction. Returns the count.

    Streams are locked in key order, so concurrent callers cannot deadlock on each other.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record_many must be called inside transaction.atomic()")
    if not entries:
        return 0
    keys = sorted({f"org:{e.organisation_id}" if e.organisation_id else "system" for e in entries})
    AuditStream.objects.bulk_create([AuditStream(key=key) for key in keys], ignore_conflicts=True)
    streams = {
        stream.key: stream
        for stream in AuditStream.objects.select_for_update().filter(key__in=keys).order_by("key")
    }
    now = timezone.now()
    request_id = _request_id()
    kid = signing_key_id()
    rows: list[dict[str, Any]] = []
    for entry in entries:
        stream = streams[f"org:{entry.organisation_id}" if entry.organisation_id else "system"]
        row: dict[str, Any] = {
            "stream": stream.key,
            "seq": stream.seq + 1,
            "at": now,
            "actor_id": entry.actor_id,
            "actor_role": entry.actor_role,
            "organisation_id": entry.organisation_id,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "before": _jsonable(entry.before),
            "after": _jsonable(entry.after),
            "reason": entry.reason,
            "request_id": request_id,
            "prev_hash": stream.head_hash or GENESIS,
            "key_id": kid,
        }
        row["hash"] = sign(EVENT_DOMAIN + _canonical_values(row), kid=kid)
        stream.seq = row["seq"]
        stream.head_hash = row["hash"]
        rows.append(row)
    insert_values(AuditEvent, rows)
    _advance_streams(list(streams.values()))
    return len(rows)


def _advance_streams(streams: list[AuditStream]) -> None:
    """Write each stream's new head: one UPDATE … FROM unnest on PostgreSQL, an executemany
    elsewhere (bulk_update's CASE WHEN per row costs seconds at 1,000 rows)."""
    table = connection.ops.quote_name(AuditStream._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS s SET seq = v.seq, head_hash = v.head_hash "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::bigint[], %s::text[]) AS v(id, seq, head_hash) "
                "WHERE s.id = v.id",
                [
                    [stream.pk for stream in streams],
                    [stream.seq for stream in streams],
                    [stream.head_hash for stream in streams],
                ],
            )
            return
        cursor.executemany(
            f"UPDATE {table} SET seq = %s, head_hash = %s WHERE id = %s",  # noqa: S608
            [(stream.seq, stream.head_hash, stream.pk) for stream in streams],
        )


_JSON_SCALARS = (str, int, bool, type(None))


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    # A flat dict of JSON scalars under string keys round-trips to itself (most events).
    if all(type(k) is str and type(v) in _JSON_SCALARS for k, v in data.items()):
        return dict(data)
    # Round-trip so the stored JSON equals what was hashed (dates become strings, etc.).
    loaded: dict[str, Any] = json.loads(json.dumps(data, ensure_ascii=False, default=str))
    return loaded


def audit_seal_legacy() -> int:
    """Append a keyed `audit.seal` event to every stream whose head predates the keys, so
    that its unkeyed events can no longer be rewritten unnoticed. Idempotent; returns the
    number of streams sealed. (Run by the migration that introduced the keys.)"""
    sealed = 0
    for key in AuditEvent.objects.values_list("stream", flat=True).distinct().order_by("stream"):
        with transaction.atomic():
            head = AuditEvent.objects.filter(stream=key).order_by("-seq").first()
            if head is None or head.key_id:
                continue
            organisation = (
                Organisation.objects.get(pk=int(key.removeprefix("org:")))
                if key.startswith("org:")
                else None
            )
            audit_record(
                actor=None,
                action="audit.seal",
                organisation=organisation,
                after={"sealed_seq": head.seq, "sealed_hash": head.hash},
                reason="pre-HMAC events sealed by the first keyed event",
            )
            sealed += 1
    return sealed


@dataclass(frozen=True)
class ChainBreak:
    stream: str
    event_id: int | None
    seq: int
    problem: str

    def __str__(self) -> str:
        where = f"event {self.event_id}" if self.event_id is not None else "end of stream"
        return f"stream {self.stream}, seq {self.seq} ({where}): {self.problem}"


def _events(stream: str) -> Iterator[AuditEvent]:
    return AuditEvent.objects.filter(stream=stream).order_by("seq").iterator(chunk_size=2000)


def _event_problem(event: AuditEvent, expected_seq: int, expected_prev: str, keyed: bool) -> str:
    if event.seq != expected_seq:
        return f"expected seq {expected_seq}"
    if event.prev_hash != expected_prev:
        return "previous hash does not match"
    if not event.key_id and keyed:
        return "an unkeyed event after keyed ones"
    try:
        matches = compute_hash(event) == event.hash
    except UnknownKey:
        return f"signed with an unknown key {event.key_id!r}"
    return "" if matches else "content does not match its hash"


def verify_audit_chain() -> list[ChainBreak]:
    """Recompute every stream; return the first break of each broken stream (empty = intact)."""
    known_key_ids()  # fail loudly (ImproperlyConfigured) before reading anything
    breaks: list[ChainBreak] = []
    heads = {s.key: s for s in AuditStream.objects.all()}
    streams = set(heads) | set(AuditEvent.objects.values_list("stream", flat=True).distinct())
    for key in sorted(streams):
        expected_prev = GENESIS
        expected_seq = 1
        keyed = False
        broken: ChainBreak | None = None
        for event in _events(key):
            problem = _event_problem(event, expected_seq, expected_prev, keyed)
            if problem:
                broken = ChainBreak(key, event.pk, event.seq, problem)
                break
            keyed = keyed or bool(event.key_id)
            expected_prev = event.hash
            expected_seq += 1
        if broken is None:
            head = heads.get(key)
            if (
                head is None
                or head.seq != expected_seq - 1
                or (head.head_hash or GENESIS) != (expected_prev)
            ):
                broken = ChainBreak(key, None, expected_seq, "events missing at the end")
        if broken:
            breaks.append(broken)
    return breaks


__all__ = [
    "AuditEntry",
    "ChainBreak",
    "audit_record",
    "audit_record_many",
    "audit_record_with",
    "audit_seal_legacy",
    "compute_hash",
    "verify_audit_chain",
]
