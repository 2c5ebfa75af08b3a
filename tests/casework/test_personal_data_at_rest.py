"""The raw database holds ciphertext only: read it the way an attacker with a dump would."""

from django.core.management import call_command
from django.db import connection

from casework import crypto
from casework.models import Member
from casework.services.members import relative_add
from tests.factories import make_member

PHONE = "13912345678"
ADDRESS = "福州市鼓楼区秘密路88号"


def _member(world) -> Member:
    member = make_member(world.branch, phone=PHONE, phone_alt="0591-87654321", residence=ADDRESS)
    relative_add(
        member=member,
        actor=world.secretary,
        data={"name": "李四", "relation": "配偶", "phone": "13612345678", "address": ADDRESS},
    )
    return member


def test_raw_rows_hold_no_plaintext_id_number_phone_or_address(world) -> None:
    member = _member(world)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, phone_alt, residence, id_number_index "
            "FROM casework_member WHERE id = %s",
            [member.pk],
        )
        row = cursor.fetchone()
        cursor.execute("SELECT phone, address FROM casework_relative")
        relative_row = cursor.fetchone()
    raw = " ".join(str(v) for v in (*row, *relative_row))
    for secret in (member.id_number, PHONE, "87654321", "13612345678", ADDRESS, "秘密路"):
        assert secret not in raw
    assert crypto.decrypt(row[0]) == member.id_number


def test_the_sqlite_file_bytes_hold_no_plaintext(world) -> None:
    member = _member(world)
    if connection.vendor != "sqlite":
        # On PostgreSQL, dump the table the way pg_dump would (COPY … TO STDOUT).
        with connection.cursor() as cursor:
            cursor.execute("SELECT casework_member::text FROM casework_member")
            data = "\n".join(r[0] for r in cursor.fetchall()).encode()
    else:
        # The database file's bytes, exactly as SQLite would write them to disk.
        connection.ensure_connection()
        data = connection.connection.serialize()
    assert member.name.encode() in data  # the test can fail: plain fields are there
    for secret in (member.id_number, PHONE, "13612345678", ADDRESS):
        assert secret.encode() not in data
        assert secret.encode("utf-16-le") not in data


def test_rotate_keys_reencrypts_everything_under_the_first_key(world, settings) -> None:
    old_key = settings.LIANLUO_PII_KEYS[0]
    member = _member(world)
    new_key = "Xq1yPq6cQ0q1c7m8d8A1e3b7S2F1w0f8V6c2H9dD4kI="
    settings.LIANLUO_PII_KEYS = [new_key, old_key]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM casework_member WHERE id = %s", [member.pk])
        before = cursor.fetchone()[0]
    assert not crypto.is_current(before)
    call_command("rotate_keys", "--chunk-size", "1", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, phone_alt, residence FROM casework_member")
        tokens = [t for row in cursor.fetchall() for t in row if t]
        cursor.execute("SELECT phone, address FROM casework_relative")
        tokens += [t for row in cursor.fetchall() for t in row if t]
    assert tokens and all(crypto.is_current(t) for t in tokens)
    # Only the new key is needed now; values read back intact.
    settings.LIANLUO_PII_KEYS = [new_key]
    assert Member.objects.get(pk=member.pk).phone == PHONE
    # Idempotent: a second run rewrites nothing.
    from casework.keys import rotate_keys

    assert rotate_keys().total == 0
