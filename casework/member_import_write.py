"""The write side of the member import (casework.member_import): one chunk of valid rows into
the register, in one transaction with one `member.import` audit event.

- Existing rows are read by blind index without decrypting: plain columns are compared as
  they are, the personal (encrypted) ones through `Member.import_fingerprint`, one keyed tag
  per personal field over the imported value *and the ciphertext stored*. Any other writer
  (an edit, key rotation) writes new ciphertext, so its tag no longer matches and only that
  value is decrypted and compared (and its tag refreshed). Rows that differ take the model
  path (masked history, `bulk_update`).
- New rows are encrypted here and written with COPY on PostgreSQL (plain INSERTs elsewhere,
  casework.bulk_copy); their search keys come from the values in hand (no re-read).

Tags are HMAC-SHA256 under a key derived from LIANLUO_BLIND_INDEX_KEY, 64 bits each: a wrong
"unchanged" needs a 2⁻⁶⁴ collision. Changing that key only makes the next import decrypt.
"""

from __future__ import annotations

import hashlib
import hmac
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from casework import crypto
from casework.bulk_copy import is_postgres, prepare, write_rows
from casework.member_data import diff_fields, gender_warning
from casework.models import Member, MemberChange, MemberSearchKey, Organisation
from casework.rejoin import ACTIVE_STATUSES, rejoin_bar, rejoin_message
from casework.search_keys import member_keys
from casework.services.search_index import search_index_refresh
from casework.validation import id_birth_date

if TYPE_CHECKING:
    from casework.member_import import ImportReport, _Good

# The personal fields a file may carry besides the ID number (equal by its blind index).
TAGGED = ("phone", "phone_alt", "residence")
ENCRYPTED = ("id_number", *TAGGED)
TAG_HEX = 16
# Plain columns an import may set (casework.member_import.HEADERS, organisation aside).
PLAIN: tuple[str, ...] = ("name", "gender", "ethnicity", "birth_date", "occupation")
PLAIN += ("employer", "membership_type", "join_date", "status", "file_location")


@lru_cache(maxsize=4)
def _fingerprint_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"member.import_fingerprint", hashlib.sha256).digest()


def field_tag(name: str, value: str, ciphertext: str) -> str:
    """The tag vouching that `ciphertext` (as stored) holds `value` for field `name`."""
    secret = settings.LIANLUO_BLIND_INDEX_KEY
    if not secret:
        raise ImproperlyConfigured("LIANLUO_BLIND_INDEX_KEY is not set.")
    message = f"{name}\x1f{value}\x1f{ciphertext}".encode()
    digest = hmac.new(_fingerprint_key(secret), message, hashlib.sha256).hexdigest()
    return digest[:TAG_HEX]


def fingerprint(plain: dict[str, str], cipher: dict[str, str], old: str = "") -> str:
    """Tags of the fields in `plain` (plaintext as stored); the others keep `old`'s tag."""
    tags = []
    for position, name in enumerate(TAGGED):
        if name in plain:
            tags.append(field_tag(name, plain[name], cipher.get(name, "")))
        else:
            kept = old[position * TAG_HEX : (position + 1) * TAG_HEX]
            tags.append(kept if len(kept) == TAG_HEX else "0" * TAG_HEX)
    return "".join(tags)


@dataclass
class _Stored:
    """An existing row as read without decrypting."""

    pk: int
    organisation_id: int
    path: str
    plain: dict[str, Any]
    cipher: dict[str, str]
    fingerprint: str


def _read_existing(indexes: list[str], *, lock: bool) -> dict[str, _Stored]:
    query = Member.objects.filter(id_number_index__in=indexes)
    if lock:
        query = query.select_for_update(no_key=True, of=("self",))
    ciphers = {f"c_{name}": Cast(name, output_field=TextField()) for name in TAGGED}
    rows = query.annotate(**ciphers).values_list(
        "id_number_index",
        "pk",
        "organisation_id",
        "organisation__path",
        "import_fingerprint",
        *PLAIN,
        *ciphers,
    )
    found: dict[str, _Stored] = {}
    width = len(PLAIN)
    for index, pk, org_id, path, fp, *rest in rows:
        found[index] = _Stored(
            pk=pk,
            organisation_id=org_id,
            path=path,
            plain=dict(zip(PLAIN, rest[:width], strict=True)),
            cipher=dict(zip(TAGGED, (c or "" for c in rest[width:]), strict=True)),
            fingerprint=fp or "",
        )
    return found


def _compare(good: _Good, stored: _Stored) -> tuple[bool, str | None]:
    """(differs, fingerprint to store when the row is unchanged but a tag was stale)."""
    if good.organisation is not None and good.organisation.pk != stored.organisation_id:
        return True, None
    stale: dict[str, str] = {}
    for name, value in good.values.items():
        if name == "id_number":
            continue
        if name not in TAGGED:
            if stored.plain.get(name) != value:
                return True, None
            continue
        cipher = stored.cipher[name]
        if not cipher:
            if value != "":
                return True, None
            continue
        position = TAGGED.index(name) * TAG_HEX
        if stored.fingerprint[position : position + TAG_HEX] == field_tag(name, value, cipher):
            continue
        if crypto.decrypt(cipher) != value:
            return True, None
        stale[name] = value
    if not stale:
        return False, None
    return False, fingerprint(stale, stored.cipher, stored.fingerprint)


def write_chunk(
    chunk: list[_Good],
    root: Organisation,
    actor: AbstractBaseUser | None,
    report: ImportReport,
    labels: dict[str, str],
    atomic: bool,
    dry_run: bool,
) -> None:
    from casework.member_import import RowIssue, _audit

    if not chunk:
        return
    with transaction.atomic() if not dry_run else nullcontext():
        existing = _read_existing([g.index for g in chunk], lock=not dry_run)
        creates: list[_Good] = []
        differing: dict[int, _Good] = {}
        refreshed: dict[int, str] = {}
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for good in chunk:
            stored = existing.get(good.index)
            if stored is None:
                creates.append(good)
                continue
            if not stored.path.startswith(root.path):
                report.rejected += 1
                report.errors.append(
                    RowIssue(
                        good.row,
                        labels["id_number"],
                        _("该党员已在本组织范围以外登记，请先办理组织关系转接。"),
                    )
                )
                continue
            differs, fresh = _compare(good, stored)
            if differs:
                differing[stored.pk] = good
            else:
                counts["unchanged"] += 1
                if fresh is not None:
                    refreshed[stored.pk] = fresh
        counts["created"] = len(creates)
        updates, history, barred = _diff_updates(differing, actor, report, labels)
        counts["updated"] = len(updates)
        counts["unchanged"] += len(differing) - len(updates) - barred
        report.created += counts["created"]
        report.updated += counts["updated"]
        report.unchanged += counts["unchanged"]
        if dry_run:
            return
        _insert(creates, root)
        if updates:
            fields = sorted(set().union(*(change.changes for change in history)))
            Member.objects.bulk_update(updates, [*fields, "updated_at"], batch_size=500)
            MemberChange.objects.bulk_create(history, batch_size=500)
            refreshed.update(_fingerprints_after_update(updates))
            # Updated rows re-derive their keys from the rows written (casework.services).
            search_index_refresh(member_ids=[m.pk for m in updates])
        if refreshed:
            Member.objects.bulk_update(
                [Member(pk=pk, import_fingerprint=fp) for pk, fp in refreshed.items()],
                ["import_fingerprint"],
                batch_size=1000,
            )
        if not atomic and (creates or updates):
            _audit(actor, root, report, final=False, chunk=counts)


def _diff_updates(
    differing: dict[int, _Good],
    actor: AbstractBaseUser | None,
    report: ImportReport,
    labels: dict[str, str],
) -> tuple[list[Member], list[MemberChange], int]:
    """The rows that differ, through the model (decrypted) as any edit: masked history.
    A row that would make a removed member active while the rejoin bar runs is rejected
    (the third value counts them)."""
    from casework.member_import import RowIssue

    if not differing:
        return [], [], 0
    barred = 0
    now = timezone.now()
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    updates: list[Member] = []
    history: list[MemberChange] = []
    members = Member.objects.filter(pk__in=list(differing)).select_related("organisation")
    for member in members.order_by("pk"):
        good = differing[member.pk]
        values = dict(good.values)
        values.pop("id_number", None)  # same blind index: same number
        diff = diff_fields(member, values)
        reason = _rejoin_barred(member, values) if "status" in diff else ""
        if reason:
            barred += 1
            report.rejected += 1
            report.errors.append(RowIssue(good.row, labels.get("status", "党籍状态"), reason))
            continue
        if good.organisation is not None and good.organisation.pk != member.organisation_id:
            diff["organisation"] = [member.organisation_id, good.organisation.pk]
            member.organisation = good.organisation
        if not diff:
            continue
        for name in diff:
            if name != "organisation":
                setattr(member, name, values[name])
        member.updated_at = now
        updates.append(member)
        history.append(
            MemberChange(member=member, actor_id=actor_id, source="import", changes=diff)
        )
        warning = gender_warning(member.id_number, member.gender)
        if warning and "gender" in diff:
            report.warnings.append(RowIssue(good.row, labels.get("gender", "性别"), warning))
    return updates, history, barred


def _rejoin_barred(member: Member, values: dict[str, Any]) -> str:
    """The reason a row may not give a removed or persuaded-out member an active status
    while the rejoin bar runs ("" when it may)."""
    if values.get("status") not in ACTIVE_STATUSES:
        return ""
    bar = rejoin_bar(member)
    return rejoin_message(bar) if bar is not None else ""


def _fingerprints_after_update(updates: list[Member]) -> dict[int, str]:
    """Fresh tags for rows just updated: their plaintext is in hand, the ciphertext is read."""
    ciphers = {f"c_{name}": Cast(name, output_field=TextField()) for name in TAGGED}
    rows = (
        Member.objects.filter(pk__in=[m.pk for m in updates])
        .annotate(**ciphers)
        .values_list("pk", *ciphers)
    )
    by_pk = {m.pk: m for m in updates}
    fresh: dict[int, str] = {}
    for pk, *cipher_values in rows:
        member = by_pk[pk]
        plain = {name: getattr(member, name) or "" for name in TAGGED}
        cipher = dict(zip(TAGGED, (c or "" for c in cipher_values), strict=True))
        fresh[pk] = fingerprint(plain, cipher)
    return fresh


# --- new rows -----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _columns() -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """Member's columns (the id aside) and their Python defaults."""
    fields = [f for f in Member._meta.concrete_fields if not f.primary_key]
    return tuple(f.attname for f in fields), tuple(f.get_default() for f in fields)


def _insert(creates: list[_Good], root: Organisation) -> None:
    if not creates:
        return
    columns, defaults = _columns()
    now = timezone.now()
    rows: list[tuple[object, ...]] = []
    keys_of: dict[str, tuple[str, str, tuple[str, str], Any]] = {}
    for good in creates:
        row = dict(zip(columns, defaults, strict=True))
        values = good.values
        row.update(values)
        if row.get("birth_date") is None:
            row["birth_date"] = id_birth_date(values["id_number"])
        cipher: dict[str, str] = {}
        for name in ENCRYPTED:
            plain = row.get(name) or ""
            row[name] = cipher[name] = crypto.encrypt(plain) if plain else ""
        row["import_fingerprint"] = fingerprint(
            {name: values.get(name) or "" for name in TAGGED}, cipher
        )
        row["organisation_id"] = (good.organisation or root).pk
        row["id_number_index"] = good.index
        row["created_at"] = row["updated_at"] = now
        rows.append(tuple(row[c] for c in columns))
        keys_of[good.index] = (
            values["name"],
            values["id_number"],
            (values.get("phone") or "", values.get("phone_alt") or ""),
            row["birth_date"],
        )
    postgres = is_postgres()
    write_rows(Member, columns, [prepare(rows, postgres=postgres)])
    ids = dict(
        Member.objects.filter(id_number_index__in=list(keys_of)).values_list(
            "id_number_index", "pk"
        )
    )
    key_rows: list[tuple[object, ...]] = []
    for index, (name, number, phones, birth) in keys_of.items():
        pk = ids[index]
        pairs = member_keys(name=name, id_number=number, phones=phones, birth_date=birth)
        key_rows.extend((pk, kind, key) for kind, key in sorted(pairs))
    write_rows(
        MemberSearchKey, ["member_id", "kind", "key"], [prepare(key_rows, postgres=postgres)]
    )
