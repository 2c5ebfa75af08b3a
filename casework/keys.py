"""Key rotation: re-encrypt every encrypted column under the first key of LIANLUO_PII_KEYS."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from casework import crypto
from casework.audit import audit_record
from casework.fields import EncryptedTextField


@dataclass
class RotationResult:
    rewritten: dict[str, int] = field(default_factory=dict)  # "app.model.field" → values
    scanned: int = 0

    @property
    def total(self) -> int:
        return sum(self.rewritten.values())


def encrypted_columns() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    found: list[tuple[type[models.Model], list[EncryptedTextField]]] = []
    for model in apps.get_models():
        cols = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if cols:
            found.append((model, cols))
    return found


def rotate_keys(*, chunk_size: int = 500) -> RotationResult:
    """Rewrite, chunk by chunk (one transaction each), values not yet under the primary key.

    Idempotent: a value already encrypted under the primary key is left as it is, so a
    second run (or a run resumed after an interruption) rewrites nothing.
    """
    result = RotationResult()
    quote = connection.ops.quote_name
    for model, cols in encrypted_columns():
        table = quote(model._meta.db_table)
        pk = quote(model._meta.pk.column)
        names = ", ".join(quote(c.column) for c in cols)
        last: Any = None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                where = f"WHERE {pk} > %s " if last is not None else ""
                params: list[Any] = [last] if last is not None else []
                # FOR UPDATE: a concurrent edit can't be overwritten by stale ciphertext.
                lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
                cursor.execute(
                    f"SELECT {pk}, {names} FROM {table} {where}ORDER BY {pk} LIMIT %s{lock}",  # noqa: S608
                    [*params, chunk_size],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                for row in rows:
                    result.scanned += 1
                    for col, token in zip(cols, row[1:], strict=True):
                        if not token or crypto.is_current(token):
                            continue
                        cursor.execute(
                            f"UPDATE {table} SET {quote(col.column)} = %s WHERE {pk} = %s",  # noqa: S608
                            [crypto.reencrypt(token), row[0]],
                        )
                        key = f"{model._meta.label_lower}.{col.name}"
                        result.rewritten[key] = result.rewritten.get(key, 0) + 1
    if result.total:
        with transaction.atomic():
            audit_record(
                actor=None,
                action="keys.rotate",
                after={"rewritten": result.rewritten, "scanned": result.scanned},
            )
    return result
