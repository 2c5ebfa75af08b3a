"""Prevention at scale on PostgreSQL (issue #20): member search by blind index, and the screens
with the new indicators (dashboard, data quality, 三会一课 across branches).

    .venv/bin/python bench/bench_prevention.py [--size tiny|small|large] [--reuse] [--build-only]
                                               [--database-url postgres://…/postgres]

The data: `casework.devdata.load.generate_load` (tree, users, members with encrypted personal
data, cases), then the search index built by the real backfill (`search_index_backfill`, the
code of `manage.py build_search_index`, reported as its own metric), and a year of 三会一课
meetings per branch (some branches late). The database is `lianluo_prevention_<size>`;
without --reuse (or BENCH_PREVENTION_REUSE=1) it is rebuilt, with it the steps already done
are skipped, so the 1,000,000-member set is built once:

    nohup .venv/bin/python bench/bench_prevention.py --size large --reuse --build-only \\
        > /tmp/prevention_large.log 2>&1 &
    BENCH_PREVENTION_REUSE=1 .venv/bin/python bench/run.py --size large --only prevention

Measured, as the organisation department's coordinator (scope: everything):
- search: `member_search_for_user` (the SQL the page runs) for real queries drawn from the
  register — full names, two-character fragments, full pinyin, initials, the last 4 and 6 ID
  characters, phone numbers — p50/p95 per query over all kinds; and the search page itself;
- pages through Django's test client: the dashboard of the top organisation with the new
  indicators (reading the nightly rollup, refreshed first as beat does; its time is a metric),
  the data-quality page of one committee, the 三会一课 overview; p50/p95 and SQL queries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import common

SIZES = {
    "tiny": {"members": 2_000, "cases": 400},
    "small": {"members": 20_000, "cases": 4_000},
    "large": {"members": 1_000_000, "cases": 200_000},
}
REQUESTS = {"tiny": 5, "small": 20, "large": 30}
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SAMPLE_MEMBERS = 40
MARK = "bench_prevention_coordinator"  # exists once the data set is complete


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="member search and prevention screens")
    parser.add_argument("--size", choices=list(SIZES), default="small")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", common.DEFAULT_SERVER_URL),
        help="PostgreSQL server; the data set lives in lianluo_prevention_<size> on it",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        default=os.environ.get("BENCH_PREVENTION_REUSE") == "1",
        help="keep the database and build only the missing steps",
    )
    parser.add_argument("--build-only", action="store_true", help="build the data, measure nothing")
    return parser.parse_args()


def prepare_database(server_url: str, name: str, reuse: bool) -> None:
    with common._admin(server_url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not reuse:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or not reuse:
            conn.execute(f'CREATE DATABASE "{name}"')
    common._setup_django(common._with_db(server_url, name))
    common._migrate()


# ---- the data set ---------------------------------------------------------------------------


def load(members: int, cases: int) -> None:
    from casework.devdata.load import generate_load
    from casework.models import Member

    if Member.objects.exists():
        common.log("members already loaded")
        return
    common.log(f"generate_load: {members} members, {cases} cases")
    generate_load(members=members, cases=cases, seed=1, workers=2, progress=common.log)


def build_index() -> float | None:
    """The real backfill; returns members per second (None when already built)."""
    from casework.models import MemberSearchKey
    from casework.services.search_index import search_index_backfill

    if MemberSearchKey.objects.exists():
        common.log("search index already built")
        return None
    started = time.perf_counter()
    total = search_index_backfill(
        progress=lambda done, all_: (
            common.log(f"  index {done} / {all_}") if done % 50_000 < 2_000 else None
        )
    )
    seconds = time.perf_counter() - started
    common.log(f"search index: {total} members in {seconds:.0f} s")
    return total / seconds


def build_meetings() -> None:
    """A year of 三会一课 per branch: most branches on schedule, some late."""
    from django.utils import timezone

    from casework.models import Meeting, Organisation, OrgKind

    if Meeting.objects.exists():
        common.log("meetings already built")
        return
    rng = random.Random(20)
    today = timezone.localdate()
    rows = []
    cadence = {"branch_committee": 30, "party_group": 30, "branch_general": 90, "party_lecture": 90}
    for org_id in Organisation.objects.filter(kind=OrgKind.BRANCH).values_list("pk", flat=True):
        late = rng.random() < 0.2
        for kind, days in cadence.items():
            first = rng.randint(0, days - 1) + (days if late and rng.random() < 0.5 else 0)
            for offset in range(first, 365, days):
                rows.append(
                    Meeting(
                        organisation_id=org_id, kind=kind, held_on=today - dt.timedelta(days=offset)
                    )
                )
    Meeting.objects.bulk_create(rows, batch_size=5_000)
    common.log(f"meetings: {len(rows)}")


def coordinator() -> Any:
    from django.contrib.auth import get_user_model

    from casework.models import Organisation, OrgKind, Role
    from casework.services.organisations import role_assign

    users = get_user_model()._default_manager
    found = users.filter(username=MARK).first()
    if found is None:
        top = (
            Organisation.objects.filter(kind=OrgKind.DEPARTMENT, parent=None).order_by("id").first()
        )
        assert top is not None, "no top organisation department"
        found = users.create(username=MARK, first_name="coordinator")
        role_assign(user=found, role=Role.COORDINATOR, organisation=top)
    return found


def build(size: dict[str, int]) -> float | None:
    from django.db import connection

    load(size["members"], size["cases"])
    rate = build_index()
    build_meetings()
    coordinator()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return rate


# ---- measuring --------------------------------------------------------------------------------


def sample_queries(rng: random.Random) -> list[str]:
    """Queries a user would type for members of the register (decrypted here, outside the
    measurement, only to know what to type)."""
    from pypinyin import Style, lazy_pinyin

    from casework.models import Member

    last = Member.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    picks = [rng.randint(1, last) for _ in range(SAMPLE_MEMBERS * 2)]
    members = list(Member.objects.filter(pk__in=picks)[:SAMPLE_MEMBERS])
    queries: list[str] = []
    for member in members:
        syllables = lazy_pinyin(member.name, style=Style.NORMAL)
        queries += [
            member.name,
            member.name[:2],
            "".join(syllables),
            "".join(s[0] for s in syllables),
            member.id_number[-4:],
            member.id_number[-6:],
        ]
        if member.phone:
            queries.append(member.phone)
    return queries


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_search(user: Any, queries: list[str]) -> list[float]:
    from casework.selectors.search import member_search_for_user

    times = []
    for query in queries:
        started = time.perf_counter()
        list(member_search_for_user(user=user, query=query))
        times.append((time.perf_counter() - started) * 1000)
    return times


def time_page(client: Any, url: str, requests: int) -> tuple[list[float], int]:
    from django.db import connection

    statements: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return times, len(statements)


def main() -> None:
    args = parse_args()
    size = SIZES[args.size]
    prepare_database(args.database_url, f"lianluo_prevention_{args.size}", args.reuse)
    index_rate = build(size)
    if args.build_only:
        common.log("built; nothing measured (--build-only)")
        return

    from django.test import Client
    from django.test.utils import setup_test_environment

    from casework.models import Case, Meeting, Member, MemberSearchKey, Organisation, OrgKind
    from casework.services.dashboard import dashboard_rollup_refresh

    setup_test_environment()
    user = coordinator()
    started = time.perf_counter()
    dashboard_rollup_refresh()
    refresh_s = time.perf_counter() - started
    common.log(f"dashboard rollup: {refresh_s:.1f} s")
    top = Organisation.objects.filter(kind=OrgKind.DEPARTMENT, parent=None).order_by("id").first()
    committee = Organisation.objects.filter(kind=OrgKind.COMMITTEE).order_by("id").first()
    assert top is not None and committee is not None
    client = Client()
    client.force_login(user)
    queries = sample_queries(random.Random(7))
    pages = {
        "search_page": f"/register/search/?q={queries[3]}",
        "dashboard": f"/dashboard/?org={top.pk}",
        "quality_page": f"/prevention/quality/?org={committee.pk}",
        "org_life_page": "/prevention/org-life/",
    }
    requests = REQUESTS[args.size]
    search_p50: list[float] = []
    search_p95: list[float] = []
    p50: dict[str, list[float]] = {name: [] for name in pages}
    p95: dict[str, list[float]] = {name: [] for name in pages}
    query_counts: dict[str, int] = {}
    time_search(user, queries[:5])  # warm-up
    for run in range(RUNS):
        times = time_search(user, queries)
        search_p50.append(percentile(times, 0.5))
        search_p95.append(percentile(times, 0.95))
        common.log(f"run {run}: search p50 {search_p50[-1]:.1f} ms p95 {search_p95[-1]:.1f} ms")
        for name, url in pages.items():
            page_times, query_counts[name] = time_page(client, url, requests)
            p50[name].append(percentile(page_times, 0.5))
            p95[name].append(percentile(page_times, 0.95))
            common.log(f"run {run}: {name} p50 {p50[name][-1]:.1f} ms p95 {p95[name][-1]:.1f} ms")
    metrics: dict[str, Any] = {
        "search_p50": common.metric(search_p50, "ms", digits=2),
        "search_p95": common.metric(search_p95, "ms", digits=2),
    }
    for name in pages:
        metrics[f"{name}_p50"] = common.metric(p50[name], "ms", digits=2)
        metrics[f"{name}_p95"] = common.metric(p95[name], "ms", digits=2)
        metrics[f"{name}_queries"] = common.metric([float(query_counts[name])] * RUNS, "queries")
    metrics["dashboard_rollup_refresh"] = common.metric([refresh_s], "s", digits=2)
    if index_rate is not None:
        metrics["index_build_rate"] = common.metric([index_rate], "members/s", digits=1)
    load_avg = round(os.getloadavg()[0], 1)
    common.emit(
        name="prevention",
        metrics=metrics,
        size={
            "members": Member.objects.count(),
            "cases": Case.objects.count(),
            "search_keys": MemberSearchKey.objects.count(),
            "meetings": Meeting.objects.count(),
            "branches": Organisation.objects.filter(kind=OrgKind.BRANCH).count(),
            "search_queries": len(queries),
            "requests": requests,
        },
        runs=RUNS,
        notes=(
            "PostgreSQL; search = member_search_for_user over blind-index keys (name bigrams, "
            "pinyin, initials, ID tail 4/6, phone) as the top coordinator, queries drawn from "
            "the register; pages through the test client (dashboard reads the nightly rollup); "
            f"1-minute load average {load_avg} at the end (shared machine)."
        ),
    )


if __name__ == "__main__":
    main()
