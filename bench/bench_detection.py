"""Benchmark: the lost-contact detection sweep (goal <= 6 s per million members).

    .venv/bin/python bench/bench_detection.py [--size small|large|xlarge] [--runs 3]

Builds N members with a bulk path (small: 50,000; large: 1,000,000, meant for PostgreSQL via
DATABASE_URL) in branches of 50, with a realistic mix: 5 % lost (past the threshold), 5 % at
risk, 5 % not normal (suspended, removed …), the rest recently contacted. Each run resets the
cases, reminders, notifications and audit rows, then times
  - `first_sweep`: the sweep that opens every case and sends every reminder, and
  - `steady_sweep`: the next night's sweep over the same data (nothing new to open),
and counts the queries of each. Prints one JSON object on stdout.

Without DATABASE_URL it uses a scratch SQLite file var/bench/detection.sqlite3. With
DATABASE_URL the database is migrated and its member tables are filled: point it at a
scratch database, never at one holding real data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SIZES = {"small": 50_000, "large": 1_000_000, "xlarge": 10_000_000}
BRANCH_SIZE = 50
AS_OF = dt.date(2026, 3, 31)


def _setup() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "settings.test"
    if not os.environ.get("DATABASE_URL"):
        scratch = ROOT / "var" / "bench" / "detection.sqlite3"
        scratch.parent.mkdir(parents=True, exist_ok=True)
        scratch.unlink(missing_ok=True)  # a fresh scratch database every run
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch.as_posix()}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from casework import hooks

    # The sweep is what is measured; starting flow processes for the opened cases is a
    # separate Celery task in production, so the upper floors' hooks are not run here.
    for hook in list(hooks.cases_opened):
        hooks.cases_opened.unregister(hook)


def _reset_results() -> None:
    from django.db import connection

    from casework.models import (
        AtRiskReminder,
        AuditEvent,
        AuditStream,
        Case,
        Notification,
        TimelineEntry,
    )

    models = (Notification, AtRiskReminder, TimelineEntry, Case, AuditEvent, AuditStream)
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def _build(n: int) -> None:
    """Replace the register with n generated members (bulk inserts, no per-member services)."""
    from django.db import connection, transaction

    from casework.models import Member, MemberStatus, Organisation, OrgKind

    _reset_results()
    with connection.cursor() as cursor:
        for table in ("casework_contactattempt", "casework_inquiry", "casework_member"):
            cursor.execute(f"DELETE FROM {table}")
    with connection.cursor() as cursor:  # children before the root (parent is PROTECT)
        table = connection.ops.quote_name(Organisation._meta.db_table)
        cursor.execute(f"DELETE FROM {table} WHERE code LIKE 'BENCH-%%' AND depth > 0")
        cursor.execute(f"DELETE FROM {table} WHERE code LIKE 'BENCH-%%'")
    with transaction.atomic():
        root = Organisation.objects.create(
            name="基准党委", kind=OrgKind.COMMITTEE, code="BENCH-ROOT", path="tmp:BENCH-ROOT"
        )
        root.path = f"/{root.pk}/"
        root.save(update_fields=["path"])
        branches = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"基准第{i}党支部",
                    kind=OrgKind.BRANCH,
                    code=f"BENCH-{i}",
                    parent=root,
                    depth=1,
                    path=f"tmp:BENCH-{i}",
                )
                for i in range(n // BRANCH_SIZE + 1)
            ],
            batch_size=2000,
        )
        if not branches or branches[0].pk is None:
            branches = list(Organisation.objects.filter(parent=root).order_by("pk"))
        for branch in branches:
            branch.path = f"{root.path}{branch.pk}/"
        Organisation.objects.bulk_update(branches, ["path"], batch_size=2000)
    recent = AS_OF - dt.timedelta(days=20)
    lost = dt.date(2025, 1, 10)
    at_risk = dt.date(2025, 11, 15)
    others = [s for s in MemberStatus.values if s != MemberStatus.NORMAL]
    batch: list[Member] = []
    for i in range(n):
        bucket = i % 20
        status = others[i % len(others)] if bucket == 0 else MemberStatus.NORMAL
        seen = lost if bucket == 1 else at_risk if bucket == 2 else recent
        batch.append(
            Member(
                organisation_id=branches[i // BRANCH_SIZE].pk,
                name=f"党员{i}",
                gender="M" if i % 2 else "F",
                id_number="",
                id_number_index=f"bench-{i}",
                status=status,
                last_contact_date=seen,
                join_date=dt.date(2000, 7, 1),
                key_groups=(1 << (i % 7)) if i % 3 == 0 else 0,
                is_mobile=i % 11 == 0,
            )
        )
        if len(batch) == 10_000:
            Member.objects.bulk_create(batch)
            batch = []
    if batch:
        Member.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE casework_member; ANALYZE casework_organisation")


def _sweep(as_of: dt.date) -> tuple[float, int, dict[str, int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casework.services.detection import detect_lost_contact

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = detect_lost_contact(as_of=as_of)
        elapsed = time.perf_counter() - start
    return elapsed, len(queries), result.as_dict()


def _metric(values: list[float], unit: str) -> dict[str, object]:
    return {
        "median": round(statistics.median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
        "unit": unit,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    n = SIZES[args.size]
    _setup()
    from django.db import connection

    t0 = time.perf_counter()
    _build(n)
    build_seconds = time.perf_counter() - t0
    first: list[float] = []
    steady: list[float] = []
    first_queries: list[float] = []
    steady_queries: list[float] = []
    figures: dict[str, int] = {}
    for _ in range(max(args.runs, 1)):
        _reset_results()
        seconds, count, figures = _sweep(AS_OF)
        first.append(seconds)
        first_queries.append(count)
        seconds, count, _ = _sweep(AS_OF + dt.timedelta(days=1))
        steady.append(seconds)
        steady_queries.append(count)
    per_million = 1_000_000 / n
    print(
        json.dumps(
            {
                "name": "detection",
                "metrics": {
                    "first_sweep_seconds_per_million": _metric(
                        [s * per_million for s in first], "s/1M members"
                    ),
                    "steady_sweep_seconds_per_million": _metric(
                        [s * per_million for s in steady], "s/1M members"
                    ),
                    "first_sweep_seconds": _metric(first, "s"),
                    "steady_sweep_seconds": _metric(steady, "s"),
                    "first_sweep_queries": _metric(first_queries, "queries"),
                    "steady_sweep_queries": _metric(steady_queries, "queries"),
                },
                "size": {
                    "members": n,
                    "branches": n // BRANCH_SIZE + 1,
                    "database": connection.vendor,
                    **figures,
                },
                "runs": len(first),
                "notes": (
                    f"goal <= 6 s per million; build took {build_seconds:.1f} s; "
                    "first sweep opens every case (5 % of members) with audit events and "
                    "reminds 5 % at risk; steady sweep is the next night (nothing to open)"
                ),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
