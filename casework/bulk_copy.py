"""Writing many prepared rows fast: PostgreSQL COPY, batched executemany elsewhere.

Rows hold database values (personal data already encrypted), so they bypass model fields:
`bulk_create` would run `EncryptedTextField.get_prep_value` and encrypt a second time.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, cast

from django.db import connections, models
from django.db.backends.base.operations import BaseDatabaseOperations

Row = tuple[object, ...]
# A batch is COPY text (PostgreSQL, encoded by whoever built it, possibly in a worker
# process) or plain rows (any other database, adapted here).
Batch = bytes | list[Row]

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
EXECUTEMANY_BATCH = 2_000


def is_postgres(using: str = "default") -> bool:
    return connections[using].vendor == "postgresql"


def _copy_str(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


_COPY_TEXT: dict[type, Callable[[Any], str]] = {
    str: _copy_str,
    int: str,
    bool: lambda value: "t" if value else "f",
    type(None): lambda value: "\\N",
    dt.date: str,
    dt.datetime: dt.datetime.isoformat,
}


def _copy_value(value: object) -> str:
    try:
        return _COPY_TEXT[type(value)](value)
    except KeyError:
        return str(value)


def encode_copy(rows: Iterable[Row]) -> bytes:
    """Rows in PostgreSQL COPY text format (tab-separated, \\N for NULL)."""
    return "".join("\t".join(map(_copy_value, row)) + "\n" for row in rows).encode()


def prepare(rows: list[Row], *, postgres: bool) -> Batch:
    return encode_copy(rows) if postgres else rows


def batch_len(batch: Batch) -> int:
    return batch.count(b"\n") if isinstance(batch, bytes) else len(batch)


def write_rows(
    model: type[models.Model],
    columns: Sequence[str],
    batches: Iterable[Batch],
    *,
    using: str = "default",
) -> int:
    """Insert every batch into the model's table; returns the number of rows written."""
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_sql = ", ".join(quote(c) for c in columns)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({column_sql}) FROM STDIN") as copy:
                for batch in batches:
                    if not isinstance(batch, bytes):
                        batch = encode_copy(batch)
                    copy.write(batch)
                    written += batch_len(batch)
            return written
        placeholders = ", ".join(["%s"] * len(columns))
        # identifiers come from model metadata and are quoted; values are parameters
        sql = f"INSERT INTO {table} ({column_sql}) VALUES ({placeholders})"  # noqa: S608
        for batch in batches:
            assert not isinstance(batch, bytes), "COPY text only goes to PostgreSQL"
            adapted = [_adapt(connection.ops, row) for row in batch]
            for start in range(0, len(adapted), EXECUTEMANY_BATCH):
                cursor.executemany(sql, cast(Any, adapted[start : start + EXECUTEMANY_BATCH]))
            written += len(adapted)
    return written


def _adapt(ops: BaseDatabaseOperations, row: Row) -> Row:
    return tuple(
        ops.adapt_datetimefield_value(value)
        if isinstance(value, dt.datetime)
        else ops.adapt_datefield_value(value)
        if isinstance(value, dt.date)
        else value
        for value in row
    )


def insert_values(
    model: type[models.Model], rows: Sequence[Mapping[str, Any]], *, using: str = "default"
) -> int:
    """Insert rows given as {attname: value} (every concrete field but the id) without reading
    ids back: COPY on PostgreSQL (no model instances, no per-row SQL compilation), bulk_create
    elsewhere. For rows nothing refers to in the same transaction (audit events)."""
    if not rows:
        return 0
    if connections[using].vendor != "postgresql":
        model._default_manager.using(using).bulk_create(
            [model(**row) for row in rows], batch_size=5000
        )
        return len(rows)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    json_fields = {f.attname: f for f in fields if isinstance(f, models.JSONField)}
    names = [f.attname for f in fields]

    def value(name: str, row: Mapping[str, Any]) -> object:
        if name in json_fields:
            return json.dumps(row[name], cls=json_fields[name].encoder, ensure_ascii=False)
        return row[name]

    copy_rows = [tuple(value(name, row) for name in names) for row in rows]
    return write_rows(model, [f.column for f in fields], [encode_copy(copy_rows)], using=using)


def reset_sequences(*models_: type[models.Model], using: str = "default") -> None:
    """After inserting explicit ids, move each id sequence past the largest id."""
    from django.core.management.color import no_style

    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
