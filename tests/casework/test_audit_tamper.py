"""An audit trail that cannot be rewritten without detection (issue #17, items 6).

- The database refuses edits and deletions of events and heads, and the application's role
  has no way around it (no setting, no replication mode, no ALTER TABLE).
- A superuser who disables the triggers and edits an event, then recomputes the rest of the
  stream, is caught: the hashes are HMACs under a key the database never holds.
- A superuser who deletes the last events and moves the head back is caught by the anchors.
- Keys rotate: old events verify with old keys; an unknown key is a break.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import (
    DatabaseError,
    connection,
    transaction,
)

from casework.audit import (
    EVENT_DOMAIN,
    _canonical,
    audit_record,
    audit_seal_legacy,
    compute_hash,
    verify_audit_chain,
)
from casework.audit_anchors import anchor_write, anchors_verify
from casework.audit_keys import key_id
from casework.models import AuditEvent

NEW_KEY = "rotated-audit-key-" + "b" * 32


def _append(n: int, organisation=None) -> list[AuditEvent]:
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(
                audit_record(
                    actor=None, action="test.event", organisation=organisation, after={"i": i}
                )
            )
    return events


def _superuser(*statements: tuple[str, list[Any]]) -> None:
    """Run statements as a database superuser would, with every user trigger disabled."""
    with connection.cursor() as cursor:
        postgres = connection.vendor == "postgresql"
        if postgres:
            cursor.execute("ALTER TABLE casework_auditevent DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE casework_auditstream DISABLE TRIGGER USER")
        for sql, params in statements:
            cursor.execute(sql, params)
        if postgres:
            cursor.execute("ALTER TABLE casework_auditevent ENABLE TRIGGER USER")
            cursor.execute("ALTER TABLE casework_auditstream ENABLE TRIGGER USER")


def _verify_command(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit_chain", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _recompute_from(events: list[AuditEvent], start: int, *, forge) -> None:
    """Recompute the hashes of events[start:] and the head, as an attacker without the key
    can: `forge(event)` returns the new hash."""
    prev = events[start - 1].hash
    statements: list[tuple[str, list[object]]] = []
    for event in events[start:]:
        event.refresh_from_db()
        event.prev_hash = prev
        event.hash = forge(event)
        statements.append(
            (
                "UPDATE casework_auditevent SET prev_hash = %s, hash = %s, key_id = %s "
                "WHERE id = %s",
                [event.prev_hash, event.hash, event.key_id, event.pk],
            )
        )
        prev = event.hash
    statements.append(
        ("UPDATE casework_auditstream SET head_hash = %s WHERE key = %s", [prev, events[0].stream])
    )
    _superuser(*statements)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attacker", ["plain_sha256", "guessed_key", "legacy_disguise"])
def test_an_edited_event_with_its_stream_recomputed_is_named(world, attacker: str) -> None:
    events = _append(5, world.branch)
    _superuser(
        (
            "UPDATE casework_auditevent SET reason = %s WHERE id = %s",
            ["nothing happened here", events[2].pk],
        )
    )

    def forge(event: AuditEvent) -> str:
        if attacker == "legacy_disguise":  # pretend the event predates the keys
            event.key_id = ""
            return hashlib.sha256(_canonical(event)).hexdigest()
        if attacker == "plain_sha256":
            return hashlib.sha256(_canonical(event)).hexdigest()
        guess = ("guess-" + "0" * 40).encode()
        return hmac.new(guess, EVENT_DOMAIN + _canonical(event), hashlib.sha256).hexdigest()

    _recompute_from(events, 2, forge=forge)
    breaks = verify_audit_chain()
    assert [(b.stream, b.event_id) for b in breaks] == [(f"org:{world.branch.pk}", events[2].pk)]
    code, _out, err = _verify_command()
    assert code == 1
    assert f"event {events[2].pk}" in err


@pytest.mark.django_db(transaction=True)
def test_a_cut_off_end_with_the_head_moved_back_is_caught_by_the_anchors(
    world, settings, tmp_path: Path
) -> None:
    settings.LIANLUO_AUDIT_ANCHOR_DIR = tmp_path / "anchors"
    events = _append(4, world.branch)
    _append(1)  # the system stream too
    anchor_write()
    last, before_last = events[-1], events[-2]
    _superuser(
        ("DELETE FROM casework_auditevent WHERE id = %s", [last.pk]),
        (
            "UPDATE casework_auditstream SET seq = %s, head_hash = %s WHERE key = %s",
            [before_last.seq, before_last.hash, last.stream],
        ),
    )
    assert verify_audit_chain() == []  # the chain alone cannot tell
    code, _out, err = _verify_command("--anchors")
    assert code == 1
    assert f"stream {last.stream}, seq {last.seq}" in err
    assert "events were removed" in err
    assert "anchored event is missing" in err


@pytest.mark.django_db(transaction=True)
def test_untouched_anchors_match_and_later_events_are_fine(world, settings, tmp_path: Path) -> None:
    from casework.tasks import audit_anchor_task

    settings.LIANLUO_AUDIT_ANCHOR_DIR = tmp_path / "anchors"
    first = _append(2, world.branch)
    name = audit_anchor_task.apply().get()  # what beat runs
    _append(2, world.branch)
    anchor_write()
    code, out, _err = _verify_command("--anchors")
    assert code == 0
    assert "audit anchors match: 2 files" in out
    saved = json.loads((tmp_path / "anchors" / name).read_text())
    assert saved["streams"][f"org:{world.branch.pk}"] == {
        "seq": first[-1].seq,
        "hash": first[-1].hash,
    }
    assert saved["key_id"] == key_id(settings.LIANLUO_AUDIT_KEYS[0])


@pytest.mark.django_db(transaction=True)
def test_a_forged_or_edited_anchor_is_refused(world, settings, tmp_path: Path) -> None:
    settings.LIANLUO_AUDIT_ANCHOR_DIR = tmp_path
    _append(2, world.branch)
    path = anchor_write()
    data = json.loads(path.read_text())
    data["streams"][f"org:{world.branch.pk}"]["seq"] = 1  # "the head was at 1"
    forged = tmp_path / "anchor-29990101T000000000000Z.json"
    forged.write_text(json.dumps(data))
    _report, problems = anchors_verify(tmp_path)
    assert [(p.anchor, p.problem) for p in problems] == [
        (forged.name, "signature does not match (forged or edited)")
    ]


def test_no_anchors_at_all_is_a_failure_not_a_pass(db: None, tmp_path: Path) -> None:
    _report, problems = anchors_verify(tmp_path / "empty")
    assert [p.problem for p in problems] == ["no anchor files found"]


def test_keys_rotate_old_events_verify_and_an_unknown_key_is_a_break(db: None, settings) -> None:
    old = _append(2)
    settings.LIANLUO_AUDIT_KEYS = [NEW_KEY, *settings.LIANLUO_AUDIT_KEYS]
    new = _append(2)
    assert {e.key_id for e in old} != {e.key_id for e in new}
    assert new[0].key_id == key_id(NEW_KEY)
    assert verify_audit_chain() == []  # old events verify with the old key
    settings.LIANLUO_AUDIT_KEYS = [NEW_KEY]  # the old key removed too early
    [broken] = verify_audit_chain()
    assert broken.event_id == old[0].pk
    assert "unknown key" in broken.problem


@pytest.mark.django_db(transaction=True)
def test_pre_key_events_are_sealed_and_then_protected() -> None:
    # Events as written before the keys existed: key id "", plain SHA-256.
    legacy = _append(3)
    prev = "0" * 64
    statements: list[tuple[str, list[object]]] = []
    for event in legacy:
        event.key_id = ""
        event.prev_hash = prev
        event.hash = compute_hash(event)
        prev = event.hash
        statements.append(
            (
                "UPDATE casework_auditevent SET key_id = '', prev_hash = %s, hash = %s "
                "WHERE id = %s",
                [event.prev_hash, event.hash, event.pk],
            )
        )
    statements.append(
        ("UPDATE casework_auditstream SET head_hash = %s WHERE key = 'system'", [prev])
    )
    _superuser(*statements)
    assert verify_audit_chain() == []
    assert audit_seal_legacy() == 1
    assert audit_seal_legacy() == 0  # idempotent
    seal = AuditEvent.objects.get(action="audit.seal")
    assert (seal.seq, seal.prev_hash, seal.key_id != "") == (4, prev, True)
    assert verify_audit_chain() == []
    # rewriting a legacy event (and its legacy successor) now breaks at the seal
    edited, successor = legacy[1], legacy[2]
    edited.reason = "rewritten"
    successor.prev_hash = compute_hash(edited)
    _superuser(
        (
            "UPDATE casework_auditevent SET reason = 'rewritten', hash = %s WHERE id = %s",
            [compute_hash(edited), edited.pk],
        ),
        (
            "UPDATE casework_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
            [successor.prev_hash, compute_hash(successor), successor.pk],
        ),
    )
    [broken] = verify_audit_chain()
    assert broken.event_id == seal.pk


APP_ROLE_REFUSED = [
    "UPDATE casework_auditevent SET reason = 'edited'",
    "DELETE FROM casework_auditevent",
    "TRUNCATE casework_auditevent CASCADE",
    "UPDATE casework_auditstream SET seq = seq - 1",
    "UPDATE casework_auditstream SET head_hash = 'x'",
    "DELETE FROM casework_auditstream",
    "TRUNCATE casework_auditstream",
    "SET session_replication_role = replica",
    "ALTER TABLE casework_auditevent DISABLE TRIGGER USER",
    "ALTER TABLE casework_auditstream DISABLE TRIGGER USER",
    "DROP TRIGGER casework_auditevent_append_only ON casework_auditevent",
]


@pytest.fixture
def app_role(transactional_db: None):
    """A role with the application's privileges on the audit tables (it may read, insert,
    update, delete and truncate them as far as grants go) but not their owner, nor superuser."""
    name = f"{connection.settings_dict['NAME']}_app_probe"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP ROLE IF EXISTS "{name}"')
        cursor.execute(f'CREATE ROLE "{name}" NOLOGIN NOSUPERUSER')
        cursor.execute(f'GRANT USAGE ON SCHEMA public TO "{name}"')
        cursor.execute(
            "GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON casework_auditevent, "
            f'casework_auditstream TO "{name}"'
        )
        cursor.execute(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{name}"')
        cursor.execute(f'DROP ROLE "{name}"')


@pytest.mark.postgres
def test_the_application_role_cannot_change_or_bypass_the_audit_tables(world, app_role) -> None:
    events = _append(2, world.branch)
    refused = []
    # the old bypass is gone: setting it changes nothing
    old_bypass = "SET LOCAL lianluo.allow_audit_purge = 'on'; DELETE FROM casework_auditevent"
    for statement in [*APP_ROLE_REFUSED, old_bypass]:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f'SET LOCAL ROLE "{app_role}"')
                cursor.execute(statement)
        except DatabaseError:
            refused.append(statement)
    assert refused == [*APP_ROLE_REFUSED, old_bypass]
    # … while appending still works for it
    count = AuditEvent.objects.filter(stream=events[0].stream).count()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{app_role}"')
        audit_record(actor=None, action="test.as_app_role", organisation=world.branch)
    assert AuditEvent.objects.filter(stream=events[0].stream).count() == count + 1
    assert [e.reason for e in AuditEvent.objects.filter(pk__in=[e.pk for e in events])] == ["", ""]
    assert verify_audit_chain() == []
