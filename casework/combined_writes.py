"""Several writes in one round trip: data-modifying CTEs on PostgreSQL, one by one elsewhere.

A service step writes a handful of rows the same transaction already holds or creates (the
case row it locked, a timeline entry, a queue row, the audit event): on PostgreSQL they go
as one statement,

    WITH w0 AS (UPDATE … ), w1 AS (INSERT … RETURNING id) SELECT (SELECT id FROM w1)

and elsewhere (SQLite) as plain statements in order. The parts of one statement run on one
snapshot and cannot see each other's rows, so only writes that don't depend on each other
are combined (an INSERT may name a row a part UPDATEs, not one another part INSERTs — except
through `Write.from_cte`, see `insert`).

The SQL comes from Django's own compilers (the same text and parameters as `save()` or
`QuerySet.update()` would send), so field conversions, `auto_now` and JSON adaptation are
unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models.sql import InsertQuery, UpdateQuery

Params = list[Any]


@dataclass(frozen=True)
class Write:
    """One INSERT or UPDATE; `returns` when its SQL ends in `RETURNING <one column>`.

    An INSERT made with `from_cte` reads the value of one of its columns from an earlier
    part's RETURNING (PostgreSQL) — e.g. the new task's id for its queue row; elsewhere the
    earlier result is substituted."""

    sql: str
    params: tuple[Any, ...]
    returns: bool = False
    # INSERT … SELECT form, for a column taken from an earlier part (index) on PostgreSQL
    head: str = ""
    placeholders: tuple[str, ...] = ()
    from_part: int | None = None
    from_column: int | None = None


def _insert_parts(obj: models.Model, *, returning: bool) -> tuple[str, str, list[str], Params]:
    """("INSERT INTO t (cols)", " RETURNING …" or "", [placeholder per column], params)."""
    model = type(obj)
    query = InsertQuery(model)
    fields = _insert_fields(obj)
    query.insert_values(fields, [obj])
    compiler = query.get_compiler(connection=connection)
    [(sql, params)] = compiler.as_sql()
    head, values = sql.split(" VALUES (", 1)
    values = values[: values.rindex(")")]
    placeholders = _split_placeholders(values, len(fields))
    tail = ""
    if returning:
        pk = model._meta.pk
        assert pk is not None
        tail = f" RETURNING {connection.ops.quote_name(pk.column)} AS id"
    return head, tail, placeholders, list(params)


def _insert_fields(obj: models.Model) -> list[Any]:
    """The columns `save()` inserts: all, but an auto primary key left to the database."""
    meta = obj._meta
    fields = list(meta.local_concrete_fields)
    if obj.pk is None and meta.auto_field is not None:
        fields = [f for f in fields if f is not meta.auto_field]
    return fields


def _split_placeholders(values: str, count: int) -> list[str]:
    """The comma-separated placeholders of one VALUES row (parentheses respected)."""
    parts: list[str] = []
    depth = 0
    start = 0
    for i, char in enumerate(values):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(values[start:i].strip())
            start = i + 1
    parts.append(values[start:].strip())
    if len(parts) != count:
        raise ValueError("unexpected INSERT placeholders")
    return parts


def insert(
    obj: models.Model,
    *,
    returning: bool = True,
    from_part: int | None = None,
    column: str | None = None,
) -> Write:
    """The INSERT `obj.save(force_insert=True)` would send (`RETURNING pk` when `returning`).

    `from_part`/`column`: the column `column` takes the value an earlier part of the same
    combined statement returns (on PostgreSQL; elsewhere that value is set before running)."""
    head, tail, placeholders, params = _insert_parts(obj, returning=returning)
    sql = f"{head} VALUES ({', '.join(placeholders)}){tail}"
    if from_part is None:
        return Write(sql, tuple(params), returns=returning)
    fields = _insert_fields(obj)
    index = next(i for i, f in enumerate(fields) if f.name == column or f.attname == column)
    return Write(
        sql,
        tuple(params),
        returns=returning,
        head=head + tail,
        placeholders=tuple(placeholders),
        from_part=from_part,
        from_column=index,
    )


def update(model: type[models.Model], pk: Any, values: dict[str, Any]) -> Write:
    """The UPDATE `model.objects.filter(pk=pk).update(**values)` would send."""
    query = UpdateQuery(model)
    query.add_q(models.Q(pk=pk))
    query.add_update_values(values)
    sql, params = query.get_compiler(connection=connection).as_sql()
    return Write(sql, tuple(params))


def update_fields(obj: models.Model, fields: Iterable[str]) -> Write:
    """The UPDATE `obj.save(update_fields=fields)` would send (auto_now fields stamped)."""
    model = type(obj)
    query = UpdateQuery(model)
    query.add_q(models.Q(pk=obj.pk))
    names = set(fields)
    values: list[Any] = []
    for field in model._meta.local_concrete_fields:
        if field.name in names or field.attname in names:
            values.append((field, None, field.pre_save(obj, False)))
    query.add_update_fields(values)
    sql, params = query.get_compiler(connection=connection).as_sql()
    return Write(sql, tuple(params))


def _pg_part(write: Write, index: int, params: Params) -> str:
    """One CTE body; `params` receives its parameters in order."""
    if write.from_part is None:
        params.extend(write.params)
        return write.sql
    # INSERT … SELECT <placeholders, one replaced by the earlier part's id> FROM w<k>
    head, _, tail = write.head.partition(" RETURNING ")
    selected = []
    consumed = 0
    for i, placeholder in enumerate(write.placeholders):
        n = placeholder.count("%s")
        if i == write.from_column:
            selected.append(f"w{write.from_part}.id")
        else:
            selected.append(placeholder)
            params.extend(write.params[consumed : consumed + n])
        consumed += n
    returning = f" RETURNING {tail}" if tail else ""
    return f"{head} SELECT {', '.join(selected)} FROM w{write.from_part}{returning}"  # noqa: S608


def statement(
    writes: Sequence[Write], *, extra_ctes: Sequence[tuple[str, str, Params]] = ()
) -> tuple[str, Params, list[int]]:
    """(SQL, params, indexes of the parts that return) of one PostgreSQL statement running
    `writes` then `extra_ctes` ((name, body, params)), selecting each returning part's value."""
    params: Params = []
    ctes = []
    for i, write in enumerate(writes):
        ctes.append(f"w{i} AS ({_pg_part(write, i, params)})")
    for name, body, extra in extra_ctes:
        ctes.append(f"{name} AS ({body})")
        params.extend(extra)
    returning = [i for i, w in enumerate(writes) if w.returns]
    selected = [f"(SELECT id FROM w{i})" for i in returning]  # noqa: S608
    selected += [
        f"(SELECT id FROM {name})"  # noqa: S608
        for name, body, _ in extra_ctes
        if "RETURNING" in body
    ]
    sql = f"WITH {', '.join(ctes)} SELECT {', '.join(selected) or '1'}"
    return sql, params, returning


def run(writes: Sequence[Write]) -> list[Any]:
    """Run `writes` (one statement on PostgreSQL); the values the returning parts return, in
    order (None for the others)."""
    results: list[Any] = [None] * len(writes)
    if not writes:
        return results
    if connection.vendor == "postgresql" and len(writes) > 1:
        sql, params, returning = statement(writes)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        for i, value in zip(returning, row, strict=False):
            results[i] = value
        return results
    with connection.cursor() as cursor:
        for i, write in enumerate(writes):
            params = list(write.params)
            if write.from_part is not None:
                params = _substituted(write, results[write.from_part])
            cursor.execute(write.sql, params)
            if write.returns:
                results[i] = cursor.fetchone()[0]
    return results


def _substituted(write: Write, value: Any) -> Params:
    """`write`'s parameters with the `from_column` one replaced by `value`."""
    params: Params = []
    consumed = 0
    for i, placeholder in enumerate(write.placeholders):
        n = placeholder.count("%s")
        chunk = list(write.params[consumed : consumed + n])
        if i == write.from_column:
            chunk = [value] * n
        params.extend(chunk)
        consumed += n
    return params


__all__ = ["Write", "insert", "run", "statement", "update", "update_fields"]
