"""Writing and verifying the audit trail.

Every state change, personal-data reveal, export, import and document issue calls
`audit_record` inside its own transaction. Events are chained per stream (one stream per
organisation, plus "system"): appending locks only that stream's head row, so unrelated
organisations never wait on each other, and `verify_audit_chain` still detects an edited,
deleted or reordered event in any stream.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, models
from django.db.models.sql import InsertQuery
from django.utils import timezone

from casework.models import AuditEvent, AuditStream, Organisation
from casework.request_id import current_request_id

GENESIS = "0" * 64


def _stream_key(organisation: Organisation | None) -> str:
    return f"org:{organisation.pk}" if organisation is not None else "system"


def _request_id() -> str:
    # Set by web's middleware per request and by the outbox relay per message; else "-".
    value = current_request_id()
    return "" if value == "-" else value


def _canonical(event: AuditEvent) -> bytes:
    payload = {
        "stream": event.stream,
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "actor_role": event.actor_role,
        "organisation": event.organisation_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "request_id": event.request_id,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


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
    """Append one event to its organisation's chain. Must run inside the caller's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside transaction.atomic()")
    key = _stream_key(organisation)
    stream_id, seq, prev_hash = _advance_stream(key)
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        stream=key,
        seq=seq,
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
        prev_hash=prev_hash or GENESIS,
    )
    event.hash = compute_hash(event)
    _append(event, stream_id)
    return event


def _advance_stream(key: str) -> tuple[int, int, str]:
    """Lock the stream's head row and take the next seq in one statement; returns
    (stream id, the new event's seq, the previous head hash). The very first event of a
    stream creates the row."""
    table = connection.ops.quote_name(AuditStream._meta.db_table)
    key_col = connection.ops.quote_name("key")
    sql = f"UPDATE {table} SET seq = seq + 1 WHERE {key_col} = %s RETURNING id, seq, head_hash"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
        if row is None:
            AuditStream.objects.bulk_create([AuditStream(key=key)], ignore_conflicts=True)
            cursor.execute(sql, [key])
            row = cursor.fetchone()
    return int(row[0]), int(row[1]), str(row[2])


def _append(event: AuditEvent, stream_id: int) -> None:
    """Insert the event and move the stream's head hash onto it. On PostgreSQL one statement
    (the INSERT in a WITH clause of the UPDATE); elsewhere two."""
    if connection.vendor != "postgresql":
        event.save(force_insert=True)
        AuditStream.objects.filter(pk=stream_id).update(head_hash=event.hash)
        return
    query = InsertQuery(AuditEvent)
    query.insert_values(
        [f for f in AuditEvent._meta.local_concrete_fields if not f.primary_key], [event]
    )
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [AuditEvent._meta.pk]
    [(insert_sql, insert_params)] = compiler.as_sql()
    table = connection.ops.quote_name(AuditStream._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH ev AS ({insert_sql}) "  # noqa: S608
            f"UPDATE {table} SET head_hash = %s WHERE id = %s RETURNING (SELECT id FROM ev)",
            [*insert_params, event.hash, stream_id],
        )
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = connection.alias


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


def audit_record_many(entries: Sequence[AuditEntry], *, batch_size: int = 5000) -> int:
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
    events: list[AuditEvent] = []
    for entry in entries:
        stream = streams[f"org:{entry.organisation_id}" if entry.organisation_id else "system"]
        event = AuditEvent(
            stream=stream.key,
            seq=stream.seq + 1,
            at=now,
            actor_id=entry.actor_id,
            actor_role=entry.actor_role,
            organisation_id=entry.organisation_id,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            before=_jsonable(entry.before),
            after=_jsonable(entry.after),
            reason=entry.reason,
            request_id=request_id,
            prev_hash=stream.head_hash or GENESIS,
        )
        event.hash = compute_hash(event)
        stream.seq = event.seq
        stream.head_hash = event.hash
        events.append(event)
    AuditEvent.objects.bulk_create(events, batch_size=batch_size)
    # One executemany rather than bulk_update: its CASE WHEN per row costs seconds at 1,000 rows.
    table = connection.ops.quote_name(AuditStream._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET seq = %s, head_hash = %s WHERE id = %s",  # noqa: S608
            [(stream.seq, stream.head_hash, stream.pk) for stream in streams.values()],
        )
    return len(events)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    # Round-trip so the stored JSON equals what was hashed (dates become strings, etc.).
    loaded: dict[str, Any] = json.loads(json.dumps(data, ensure_ascii=False, default=str))
    return loaded


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


def verify_audit_chain() -> list[ChainBreak]:
    """Recompute every stream; return the first break of each broken stream (empty = intact)."""
    breaks: list[ChainBreak] = []
    heads = {s.key: s for s in AuditStream.objects.all()}
    streams = set(heads) | set(AuditEvent.objects.values_list("stream", flat=True).distinct())
    for key in sorted(streams):
        expected_prev = GENESIS
        expected_seq = 1
        broken: ChainBreak | None = None
        for event in _events(key):
            if event.seq != expected_seq:
                broken = ChainBreak(key, event.pk, event.seq, f"expected seq {expected_seq}")
            elif event.prev_hash != expected_prev:
                broken = ChainBreak(key, event.pk, event.seq, "previous hash does not match")
            elif compute_hash(event) != event.hash:
                broken = ChainBreak(key, event.pk, event.seq, "content does not match its hash")
            if broken:
                break
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
    "compute_hash",
    "verify_audit_chain",
]
