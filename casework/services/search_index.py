"""Maintaining the member search index (casework.models.MemberSearchKey, keys from
casework.search_keys). Derived data, not a state change: no audit event of its own.

`search_index_refresh(member_ids=…)` is the one entry point: it replaces the keys of those
members from their current rows, inside the caller's transaction when there is one. The member
services call it after writing a member (create, update of name / ID number / phones / birth
date, import chunks); `manage.py build_search_index` backfills the whole register.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction

from casework.bulk_copy import is_postgres, prepare, write_rows
from casework.models import Member, MemberSearchKey
from casework.search_keys import member_keys

# Member fields whose change changes the keys.
INDEXED_FIELDS = ("name", "id_number", "phone", "phone_alt", "birth_date")
BACKFILL_CHUNK = 2_000


def _rows(members: Iterable[Member]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for member in members:
        keys = member_keys(
            name=member.name,
            id_number=member.id_number,
            phones=(member.phone, member.phone_alt),
            birth_date=member.birth_date,
        )
        rows.extend((member.pk, kind, key) for kind, key in sorted(keys))
    return rows


def search_index_refresh(*, member_ids: Iterable[int]) -> int:
    """Replace the search keys of `member_ids` (deleted members simply lose theirs); returns
    the number of keys written. Reads the members' ID numbers and phones to derive keys."""
    ids = sorted(set(member_ids))
    if not ids:
        return 0
    written = 0
    with transaction.atomic():
        for start in range(0, len(ids), BACKFILL_CHUNK):
            chunk = ids[start : start + BACKFILL_CHUNK]
            MemberSearchKey.objects.filter(member_id__in=chunk).delete()
            members = Member.objects.filter(pk__in=chunk).only(*INDEXED_FIELDS)
            rows = _rows(members)
            written += write_rows(
                MemberSearchKey,
                ["member_id", "kind", "key"],
                [prepare(rows, postgres=is_postgres())],
            )
    return written


def search_index_backfill(
    *, chunk_size: int = BACKFILL_CHUNK, progress: Callable[[int, int], None] | None = None
) -> int:
    """Rebuild the keys of every member, one transaction per chunk of ids (resumable: a rerun
    rewrites the same keys). Returns the number of members indexed."""
    total = Member.objects.count()
    done = 0
    last = 0
    while True:
        ids = list(
            Member.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:chunk_size]
        )
        if not ids:
            break
        search_index_refresh(member_ids=ids)
        done += len(ids)
        last = ids[-1]
        if progress:
            progress(done, total)
    return done
