import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from casework.audit import audit_record, verify_audit_chain
from casework.models import AuditEvent


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


def _raw(sql: str, params: list[int | str]) -> None:
    """Tamper with the table as an attacker with database access would (triggers off)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE casework_auditevent DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE casework_auditevent ENABLE TRIGGER USER")
        else:
            cursor.execute(sql, params)


def test_an_untouched_chain_verifies(world) -> None:
    _append(3, world.branch)
    _append(2)
    assert verify_audit_chain() == []
    out = io.StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert "intact" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_events_outside_a_transaction_are_refused() -> None:
    with pytest.raises(RuntimeError):
        audit_record(actor=None, action="x")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("tamper", ["edit", "delete", "reorder", "delete_last"])
def test_verification_names_the_first_broken_event(world, tamper: str) -> None:
    events = _append(4, world.branch)
    if tamper == "edit":
        _raw("UPDATE casework_auditevent SET reason = %s WHERE id = %s", ["forged", events[1].pk])
    elif tamper == "delete":
        _raw("DELETE FROM casework_auditevent WHERE id = %s", [events[1].pk])
    elif tamper == "reorder":
        _raw(
            "UPDATE casework_auditevent SET seq = -seq WHERE id IN (%s, %s)",
            [events[1].pk, events[2].pk],
        )
        _raw(
            "UPDATE casework_auditevent SET seq = CASE WHEN id = %s THEN %s ELSE %s END "
            "WHERE id IN (%s, %s)",
            [events[1].pk, events[2].seq, events[1].seq, events[1].pk, events[2].pk],
        )
    else:
        _raw("DELETE FROM casework_auditevent WHERE id = %s", [events[3].pk])
    breaks = verify_audit_chain()
    assert len(breaks) == 1
    expected = {
        "edit": events[1].pk,
        "delete": events[2].pk,
        "reorder": events[2].pk,
        "delete_last": None,
    }[tamper]
    assert breaks[0].event_id == expected
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit_chain", stdout=out, stderr=err)
    assert exit_info.value.code == 1
    assert "seq" in err.getvalue()


def test_an_event_stamped_in_local_time_verifies(world, monkeypatch) -> None:
    """The hash covers the instant, not how it was written: a clock that answers in Beijing
    time (the samples' and demo's driven clock) leaves a chain that verifies once read back
    (the database returns UTC)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    local = dt.datetime(2026, 3, 2, 9, 0, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr(timezone, "now", lambda: local)
    _append(2, world.branch)
    assert verify_audit_chain() == []
