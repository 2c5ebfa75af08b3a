"""Server time of the most-read pages on PostgreSQL: the case list (queue stand-in until the
flow's queue selectors are on main) and the dashboard of the top organisation.

Usage: .venv/bin/python bench/bench_screens.py [--size small|large]
Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/lianluo_screens), migrates it,
loads members and cases in bulk (half the cases open, spread over the stages), then calls
each page through Django's test client (full middleware, templates, SQL) REQUESTS times per
run, RUNS runs. Prints one JSON object: p50/p95 per page (medians over runs), and the SQL
query count per page (constant whatever the size).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lianluo_screens")

SIZES = {
    "tiny": {"members": 2_000, "cases": 400, "branches": 8},
    "small": {"members": 20_000, "cases": 4_000, "branches": 40},
    "large": {"members": 1_000_000, "cases": 200_000, "branches": 2_000},
}
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
BATCH = 5_000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepare(members: int, cases: int, branches: int) -> Any:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from casework.crypto import blind_index
    from casework.models import Case, CaseStatus, Member, OrgKind, Role
    from casework.services.organisations import organisation_create, role_assign

    call_command("migrate", verbosity=0)
    tag = uuid.uuid4().hex[:8]

    def org(name: str, kind: str, parent: Any = None, **kw: Any) -> Any:
        return organisation_create(name=name, kind=kind, parent=parent, code=f"S{tag}{name}", **kw)

    dept = org("组织部", OrgKind.DEPARTMENT, may_approve=True)
    committees = [org(f"党委{i}", OrgKind.COMMITTEE, dept, may_approve=True) for i in range(4)]
    branch_list = [
        org(f"支部{i}", OrgKind.BRANCH, committees[i % len(committees)]) for i in range(branches)
    ]
    inspector = get_user_model().objects.create(username=f"s{tag}inspector")
    role_assign(user=inspector, role=Role.INSPECTOR, organisation=dept)
    today = timezone.localdate()
    log(f"loading {members} members, {cases} cases")
    for start in range(0, members, BATCH):
        with transaction.atomic():
            Member.objects.bulk_create(
                [
                    Member(
                        organisation=branch_list[i % branches],
                        name=f"党员{i}",
                        gender="M",
                        id_number=f"X{i}",
                        id_number_index=blind_index("id_number", f"{tag}-{i}"),
                        last_contact_date=today - dt.timedelta(days=i % 300),
                    )
                    for i in range(start, min(start + BATCH, members))
                ]
            )
    member_ids = list(
        Member.objects.filter(organisation__in=branch_list)
        .order_by("id")
        .values_list("id", "organisation_id")[:cases]
    )
    for start in range(0, len(member_ids), BATCH):
        with transaction.atomic():
            Case.objects.bulk_create(
                [
                    Case(member_id=mid, organisation_id=oid, rule_set="2024")
                    for mid, oid in member_ids[start : start + BATCH]
                ]
            )
    open_stages = [s for s in CaseStatus if s not in (CaseStatus.CLOSED, CaseStatus.WITHDRAWN)]
    ids = list(Case.objects.filter(organisation__in=branch_list).values_list("id", flat=True))
    now = timezone.now()
    closed = ids[: len(ids) // 2]
    Case.objects.filter(id__in=closed).update(
        status=CaseStatus.CLOSED, closed_at=now, located_at=now - dt.timedelta(days=3)
    )
    rest = ids[len(ids) // 2 :]
    for n, stage in enumerate(open_stages):
        Case.objects.filter(id__in=rest[n :: len(open_stages)]).update(status=stage)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # index-only scans need the visibility map
    return inspector, dept


def measure(client: Any, url: str) -> tuple[list[float], int]:
    from django.db import connection

    sql: list[tuple[float, str]] = []

    def count(execute: Any, query: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql.append(((time.perf_counter() - started) * 1000, query[:160]))

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    for ms, query in sorted(sql, reverse=True)[:3]:
        log(f"  {url}: {ms:.1f} ms {query}")
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return times, len(sql)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def fresh_database(url: str) -> None:
    """Drop and recreate the bench database so every run starts from the same data."""
    from urllib.parse import urlparse, urlunparse

    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    size = SIZES[parser.parse_args().size]
    fresh_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # allows the test client's host

    inspector, dept = prepare(**size)
    client = Client()
    client.force_login(inspector)
    pages = {"case_list": "/cases/", "dashboard": f"/dashboard/?org={dept.pk}"}
    p50: dict[str, list[float]] = {name: [] for name in pages}
    p95: dict[str, list[float]] = {name: [] for name in pages}
    queries: dict[str, int] = {}
    for run in range(RUNS):
        for name, url in pages.items():
            times, queries[name] = measure(client, url)
            p50[name].append(percentile(times, 0.5))
            p95[name].append(percentile(times, 0.95))
            log(f"run {run}: {name} p50 {p50[name][-1]:.1f} ms p95 {p95[name][-1]:.1f} ms")

    def metric(values: list[float], unit: str) -> dict[str, Any]:
        return {
            "median": round(statistics.median(values), 2),
            "min": round(min(values), 2),
            "max": round(max(values), 2),
            "unit": unit,
        }

    metrics: dict[str, Any] = {}
    for name in pages:
        metrics[f"{name}_p50"] = metric(p50[name], "ms")
        metrics[f"{name}_p95"] = metric(p95[name], "ms")
        metrics[f"{name}_queries"] = metric([float(queries[name])] * RUNS, "queries")
    print(
        json.dumps(
            {
                "name": "screens",
                "metrics": metrics,
                "size": size,
                "runs": RUNS,
                "notes": (
                    f"Django test client, {REQUESTS} requests per page per run, PostgreSQL; "
                    "case list stands in for the queue page until the flow's queues are on main"
                ),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
