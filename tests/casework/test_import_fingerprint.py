"""The import's fast paths: unchanged rows told by Member.import_fingerprint without decrypting,
new rows written with COPY (PostgreSQL) or INSERTs (SQLite) giving the rows the model gives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db import connection

from casework import crypto
from casework.keys import rotate_keys
from casework.member_import import import_members
from casework.models import Member, MemberChange, MemberSearchKey
from casework.services.members import member_update
from casework.services.search_index import search_index_refresh
from tests.casework.test_import_members import _rows, _xlsx

NEW_PII_KEY = "Xq1yPq6cQ0q1c7m8d8A1e3b7S2F1w0f8V6c2H9dD4kI="


def _import(world, path: Path, **kwargs):
    return import_members(path=path, organisation=world.committee, actor=None, **kwargs)


@pytest.fixture
def decryptions(monkeypatch) -> list[str]:
    """Every decryption (the model field's and the import's own) is counted."""
    calls: list[str] = []
    real = crypto.decrypt

    def counting(token: str) -> str:
        calls.append(token)
        return real(token)

    monkeypatch.setattr(crypto, "decrypt", counting)
    return calls


def _keys() -> set[tuple[int, int, int]]:
    return set(MemberSearchKey.objects.values_list("member_id", "kind", "key"))


def test_unchanged_rows_are_skipped_without_decrypting(world, tmp_path, decryptions) -> None:
    path = _xlsx(tmp_path / "a.xlsx", _rows(5))
    first = _import(world, path)
    assert (first.created, first.rejected) == (5, 0)
    stamps = dict(Member.objects.values_list("pk", "updated_at"))
    decryptions.clear()
    again = _import(world, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert decryptions == []
    assert dict(Member.objects.values_list("pk", "updated_at")) == stamps
    assert not MemberChange.objects.exists()


def test_a_changed_row_is_updated_and_its_fingerprint_follows(world, tmp_path) -> None:
    rows = _rows(3)
    _import(world, _xlsx(tmp_path / "a.xlsx", rows))
    before = dict(Member.objects.values_list("name", "import_fingerprint"))
    rows[1][9] = "13999999999"  # phone (encrypted)
    rows[2][8] = "会计"  # occupation (plain)
    report = _import(world, _xlsx(tmp_path / "b.xlsx", rows))
    assert (report.updated, report.unchanged) == (2, 1)
    assert Member.objects.get(name="党员1").phone == "13999999999"
    assert Member.objects.get(name="党员2").occupation == "会计"
    after = dict(Member.objects.values_list("name", "import_fingerprint"))
    assert after["党员1"] != before["党员1"]
    assert after["党员0"] == before["党员0"]
    changes = {c.member.name: c.changes for c in MemberChange.objects.select_related("member")}
    assert set(changes) == {"党员1", "党员2"}
    assert "13999999999" not in str(changes)  # masked history
    # The updated rows' search keys follow (the phone is a key).
    keys = _keys()
    search_index_refresh(member_ids=Member.objects.values_list("pk", flat=True))
    assert _keys() == keys
    # And the next import of the same file sees nothing to do.
    assert _import(world, _xlsx(tmp_path / "c.xlsx", rows)).unchanged == 3


def test_an_edit_outside_the_import_is_seen_and_the_file_value_restored(world, tmp_path) -> None:
    path = _xlsx(tmp_path / "a.xlsx", _rows(2))
    _import(world, path)
    member = Member.objects.get(name="党员0")
    member_update(member=member, actor=world.officer, changes={"phone": "13911112222"})
    report = _import(world, path)
    assert (report.updated, report.unchanged) == (1, 1)
    assert Member.objects.get(name="党员0").phone == "13800130000"


def test_key_rotation_costs_one_decrypting_import(world, tmp_path, settings, decryptions) -> None:
    path = _xlsx(tmp_path / "a.xlsx", _rows(3))
    _import(world, path)
    settings.LIANLUO_PII_KEYS = [NEW_PII_KEY, *settings.LIANLUO_PII_KEYS]
    assert rotate_keys().total > 0  # every ciphertext rewritten: every tag stale
    decryptions.clear()
    report = _import(world, path)
    assert (report.updated, report.unchanged) == (0, 3)
    assert decryptions  # the stale values were decrypted and compared
    decryptions.clear()
    assert _import(world, path).unchanged == 3
    assert decryptions == []  # tags refreshed


def test_fingerprints_under_another_key_only_cost_decrypting(
    world, tmp_path, settings, decryptions
) -> None:
    from casework.member_import_write import field_tag

    tag = field_tag("phone", "13800130000", "token")
    settings.LIANLUO_BLIND_INDEX_KEY = "1" * 64
    assert field_tag("phone", "13800130000", "token") != tag  # the key is the blind-index key
    settings.LIANLUO_BLIND_INDEX_KEY = "0" * 64
    path = _xlsx(tmp_path / "a.xlsx", _rows(3))
    _import(world, path)
    Member.objects.update(import_fingerprint="f" * 48)  # as if made under another key
    decryptions.clear()
    report = _import(world, path)
    assert (report.updated, report.unchanged) == (0, 3)
    assert decryptions
    assert not MemberChange.objects.exists()
    decryptions.clear()
    assert _import(world, path).unchanged == 3
    assert decryptions == []


def test_new_rows_are_the_rows_the_model_writes(world, tmp_path) -> None:
    """COPY (PostgreSQL) / INSERT (SQLite): defaults, encryption, search keys as the model."""
    rows = _rows(4)
    rows[3][9] = ""  # no phone
    _import(world, _xlsx(tmp_path / "a.xlsx", rows))
    member = Member.objects.get(name="党员0")
    assert member.organisation == world.branch
    assert (member.status, member.membership_type, member.key_groups) == ("normal", "full", 0)
    assert (member.is_mobile, member.is_abroad, member.contact_officer_id) == (False, False, None)
    assert member.birth_date == dt.date(1980, 3, 4)
    assert member.phone == "13800130000" and member.residence == "福州市鼓楼区0号"
    assert member.created_at is not None and member.updated_at == member.created_at
    assert Member.objects.get(name="党员3").phone == ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, residence FROM casework_member")
        stored = [value for row in cursor.fetchall() for value in row if value]
    assert stored and all(crypto.is_current(value) for value in stored)
    assert not any(value.startswith(("1", "福州")) for value in stored)
    keys = _keys()
    assert keys
    search_index_refresh(member_ids=Member.objects.values_list("pk", flat=True))
    assert _keys() == keys


def test_a_dry_run_of_a_changed_file_counts_and_writes_nothing(world, tmp_path) -> None:
    rows = _rows(2)
    _import(world, _xlsx(tmp_path / "a.xlsx", rows))
    fingerprints = list(Member.objects.order_by("pk").values_list("import_fingerprint", "phone"))
    rows[0][9] = "13711112222"
    report = _import(world, _xlsx(tmp_path / "b.xlsx", rows), dry_run=True)
    assert (report.updated, report.unchanged) == (1, 1)
    assert (
        list(Member.objects.order_by("pk").values_list("import_fingerprint", "phone"))
        == fingerprints
    )
