"""Server time of the most-read screens on PostgreSQL: our task queues (the real group queue,
inbox and approval queue views, reading TaskDue rows of the case flow) and the dashboard of
the top organisation.

    .venv/bin/python bench/bench_screens.py [--size tiny|small|large|xlarge] [--reuse]
        [--build-only]
                                            [--database-url postgres://…/postgres]

The data: `casework.devdata.load.generate_load` (the organisation tree, users with roles,
members with encrypted personal data, cases in every status), then half of the cases closed (the
goal is "200,000 cases, half of them open"), then one case-flow process per open case with its open
human task (viewflow Process/Task, CaseProcess, TaskDue; the node follows the case status,
about a third claimed by the branch's contact officer), written in bulk.

The database is `lianluo_screens_<size>` on the server (--database-url, else
BENCH_DATABASE_URL, else the local server). Without --reuse (or BENCH_SCREENS_REUSE=1) it is
dropped and rebuilt; with it, the steps already done are skipped, so the 1,000,000-member
set is built once (about half an hour here) and measured as often as needed:

    nohup .venv/bin/python bench/bench_screens.py --size large --reuse --build-only \\
        > /tmp/screens_large.log 2>&1 &
    BENCH_SCREENS_REUSE=1 .venv/bin/python bench/run.py --size large --only screens

At xlarge the members and cases of the generate_load benchmark's own run can be adopted rather
than loaded a second time (its database is kept, then renamed):

    BENCH_KEEP_DATABASE=1 .venv/bin/python bench/run.py --size xlarge --only generate_load
    BENCH_SCREENS_ADOPT=lianluo_bench_generate_load_xlarge .venv/bin/python bench/run.py \
        --size xlarge --only screens

Before measuring, the dashboard rollup is refreshed as the nightly beat task does
(`dashboard_rollup_refresh`, reported as its own metric): today's dashboard reads it.

Each page is called through Django's test client (full middleware, templates, SQL) REQUESTS
times per run, RUNS runs: p50/p95 per page (medians over runs) and the SQL query count per
page (constant whatever the size).
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
    # the goal moved to 10M members / 2M cases (#21): queue p95 <= 50 ms, dashboard <= 200 ms
    "xlarge": {"members": 10_000_000, "cases": 2_000_000},
}
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
BATCH = 5_000
MARK_USER = "bench_screens_inspector"  # exists once the data set is complete


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="queue and dashboard server time")
    parser.add_argument("--size", choices=list(SIZES), default="small")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", common.DEFAULT_SERVER_URL),
        help="PostgreSQL server; the data set lives in lianluo_screens_<size> on it",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        default=os.environ.get("BENCH_SCREENS_REUSE") == "1",
        help="keep the database and build only the missing steps",
    )
    parser.add_argument("--build-only", action="store_true", help="build the data, measure nothing")
    return parser.parse_args()


def prepare_database(server_url: str, name: str, reuse: bool, adopt: str = "") -> str:
    """An empty (or, with reuse, the existing) database; Django set up on it. `adopt` names a
    database already holding generate_load's members and cases (the generate_load benchmark's,
    kept with BENCH_KEEP_DATABASE=1): when this size's database does not exist yet, that one is
    renamed to it and only the remaining steps are built (xlarge: the load is not done twice)."""
    import psycopg

    admin = common._with_db(server_url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if adopt and not exists:
            common.log(f"adopting {adopt} (generate_load's members and cases) as {name}")
            conn.execute(f'ALTER DATABASE "{adopt}" RENAME TO "{name}"')
            exists, reuse = (1,), True
        if exists and not reuse:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or not reuse:
            conn.execute(f'CREATE DATABASE "{name}"')
    url = common._with_db(server_url, name)
    common._setup_django(url)
    common._migrate()
    return url


# ---- the data set --------------------------------------------------------------------------


def load_members_and_cases(members: int, cases: int) -> None:
    from casework.devdata.load import generate_load
    from casework.models import Member

    if Member.objects.exists():
        common.log("members already loaded")
        return
    common.log(f"generate_load: {members} members, {cases} cases")
    generate_load(members=members, cases=cases, seed=1, workers=2, progress=common.log)


def close_half_of_the_cases() -> None:
    """generate_load spreads cases over every status (~78 % open); close the newest open ones
    until exactly half are open."""
    from django.utils import timezone

    from casework.models import Case, CaseStatus
    from casework.models.cases import CLOSED_STATUSES

    total = Case.objects.count()
    open_ids = list(
        Case.objects.exclude(status__in=CLOSED_STATUSES)
        .order_by("-id")
        .values_list("id", flat=True)
    )
    extra = len(open_ids) - total // 2
    if extra <= 0:
        return
    common.log(f"closing {extra} of {len(open_ids)} open cases")
    now = timezone.now()
    chunk = open_ids[:extra]
    for start in range(0, len(chunk), BATCH):
        Case.objects.filter(id__in=chunk[start : start + BATCH]).update(
            status=CaseStatus.CLOSED, closed_at=now, clock_kind="", clock_due=None
        )


# case status → (node, role, where the role sits: "branch", "committee", "department")
NODES = {
    "registered": ("outreach", "contact_officer", "branch"),
    "outreach": ("outreach", "contact_officer", "branch"),
    "inquiry": ("conclude_search", "contact_officer", "branch"),
    "located": ("assess_cause", "contact_officer", "branch"),
    "not_located": ("propose", "branch_secretary", "branch"),
    "proposal": ("propose", "branch_secretary", "branch"),
    "pre_review": ("pre_review", "committee_approver", "committee"),
    "defence": ("defence", "contact_officer", "branch"),
    "meeting": ("meeting", "branch_secretary", "branch"),
    "approval": ("approval", "committee_approver", "committee"),
    "in_force": ("close", "contact_officer", "branch"),
}


def build_flow_rows() -> None:
    """One CaseProcess per open case with its open human task and TaskDue row, in bulk."""
    from django.db import connection, transaction
    from django.utils import timezone
    from viewflow.workflow.fields import get_flow_ref, get_task_ref
    from viewflow.workflow.models import Process, Task

    from casework.models import Case, Organisation, Role, RoleAssignment
    from casework.models.cases import CLOSED_STATUSES
    from casework.services.cases import approving_organisation, organisation_department
    from workflows.case.flows import CaseFlow
    from workflows.models import CaseProcess, TaskDue

    if CaseProcess.objects.exists():
        common.log("flow rows already built")
        return
    rng = random.Random(7)
    now = timezone.now()
    orgs = {o.pk: o for o in Organisation.objects.all()}
    place: dict[tuple[int, str], Organisation] = {}

    def where(org_id: int, level: str) -> Organisation:
        key = (org_id, level)
        if key not in place:
            org = orgs[org_id]
            place[key] = (
                org
                if level == "branch"
                else approving_organisation(org)
                if level == "committee"
                else organisation_department(org)
            )
        return place[key]

    officers = dict(
        RoleAssignment.objects.filter(role=Role.CONTACT_OFFICER, is_active=True).values_list(
            "organisation_id", "user_id"
        )
    )
    cases = list(
        Case.objects.exclude(status__in=CLOSED_STATUSES)
        .order_by("id")
        .values_list("id", "status", "organisation_id")
    )
    common.log(f"flow rows for {len(cases)} open cases")
    flow_ref = get_flow_ref(CaseFlow)
    for start in range(0, len(cases), BATCH):
        chunk = cases[start : start + BATCH]
        with transaction.atomic():
            processes = Process.objects.bulk_create(
                [Process(flow_class=flow_ref, status="NEW", created=now) for _ in chunk]
            )
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {CaseProcess._meta.db_table} (process_ptr_id, case_id) "
                    "VALUES (%s, %s)",
                    [
                        (p.pk, case_id)
                        for p, (case_id, _s, _o) in zip(processes, chunk, strict=True)
                    ],
                )
            tasks, dues = [], []
            for process, (case_id, status, org_id) in zip(processes, chunk, strict=True):
                node, role, level = NODES[status]
                holder = where(org_id, level)
                owner = (
                    officers.get(org_id)
                    if role == "contact_officer" and rng.random() < 0.34
                    else None
                )
                tasks.append(
                    Task(
                        process=process,
                        flow_task=get_task_ref(getattr(CaseFlow, node)),
                        flow_task_type="HUMAN",
                        status="ASSIGNED" if owner else "NEW",
                        owner_id=owner,
                        created=now,
                        assigned=now if owner else None,
                    )
                )
                dues.append(
                    (
                        case_id,
                        org_id,
                        node,
                        role,
                        holder,
                        owner,
                        now + dt.timedelta(days=rng.randint(-20, 30)),
                    )
                )
            tasks = Task.objects.bulk_create(tasks)
            TaskDue.objects.bulk_create(
                [
                    TaskDue(
                        task=task,
                        case_id=case_id,
                        organisation_id=org_id,
                        node=node,
                        role=role,
                        role_organisation=holder,
                        role_path=holder.path,
                        owner_id=owner,
                        state="assigned" if owner else "open",
                        due_at=due_at,
                    )
                    for task, (case_id, org_id, node, role, holder, owner, due_at) in zip(
                        tasks, dues, strict=True
                    )
                ]
            )
        common.log(f"  {start + len(chunk)} / {len(cases)}")


def bench_users() -> dict[str, Any]:
    """The users the pages are measured for; the inspector is created last (set complete)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from casework.models import Organisation, OrgKind, Role, RoleAssignment
    from casework.services.organisations import role_assign
    from workflows.models import TaskDue

    users = get_user_model()._default_manager
    top = Organisation.objects.filter(kind=OrgKind.DEPARTMENT, parent=None).order_by("id").first()
    assert top is not None, "no top organisation department"

    def user(username: str, role: str) -> Any:
        found = users.filter(username=username).first()
        if found is None:
            found = users.create(username=username, first_name=username)
            role_assign(user=found, role=role, organisation=top)
        return found

    busiest = (
        TaskDue.objects.filter(state="assigned")
        .values("owner_id")
        .order_by()
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    approver_id = (
        RoleAssignment.objects.filter(role=Role.COMMITTEE_APPROVER, is_active=True)
        .values_list("user_id", flat=True)
        .order_by("id")
        .first()
    )
    return {
        "top": top,
        # a contact officer at the top department: the group queue over every branch
        "top_officer": user("bench_screens_officer", Role.CONTACT_OFFICER),
        "officer": users.get(pk=busiest["owner_id"]) if busiest else None,
        "approver": users.get(pk=approver_id) if approver_id else None,
        "inspector": user(MARK_USER, Role.INSPECTOR),
    }


def build(size: dict[str, int]) -> dict[str, Any]:
    from django.db import connection

    started = time.perf_counter()
    load_members_and_cases(size["members"], size["cases"])
    close_half_of_the_cases()
    build_flow_rows()
    people = bench_users()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # index-only scans need the visibility map
    common.log(f"data set ready in {time.perf_counter() - started:.0f} s")
    return people


# ---- measuring -----------------------------------------------------------------------------


def refresh_dashboard_rollup() -> float:
    """What the nightly beat task does (not timed as a page): the dashboard of today then reads
    the rollup, labelled "as of" its time. Returns the refresh's seconds."""
    from casework.services.dashboard import dashboard_rollup_refresh

    started = time.perf_counter()
    rows = dashboard_rollup_refresh()
    seconds = time.perf_counter() - started
    common.log(f"dashboard rollup: {rows} rows in {seconds:.1f} s")
    return seconds


def measure(client: Any, url: str) -> tuple[list[float], int]:
    from django.db import connection

    sql: list[tuple[float, str]] = []

    def count(execute: Any, query: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql.append(((time.perf_counter() - started) * 1000, query[:200]))

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    for ms, query in sorted(sql, reverse=True)[:3]:
        common.log(f"  {url}: {ms:.1f} ms {query}")
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return times, len(sql)


def plans(client: Any, url: str) -> str:
    """EXPLAIN of every statement one request of `url` runs, in brief: each statement's scans
    (node type, index, table and alias), e.g. "Index Only Scan using x on workflows_taskdue"."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        return ""
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    out = []
    for number, query in enumerate(ctx.captured_queries, start=1):
        sql = query["sql"]
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (COSTS OFF) {sql}")
            lines = [row[0].strip().removeprefix("->  ") for row in cursor.fetchall()]
        scans = [line for line in lines if "Scan" in line]
        out.append(f"({number}) " + ", ".join(scans or lines[:1]))
    return "; ".join(out)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    args = parse_args()
    size = SIZES[args.size]
    adopt = os.environ.get("BENCH_SCREENS_ADOPT", "")
    prepare_database(args.database_url, f"lianluo_screens_{args.size}", args.reuse, adopt)
    people = build(size)
    if args.build_only:
        common.log("built; nothing measured (--build-only)")
        return

    from django.test import Client
    from django.test.utils import setup_test_environment

    from casework.models import Case, Member
    from casework.models.cases import CLOSED_STATUSES
    from workflows.models import TaskDue

    setup_test_environment()  # allows the test client's host
    refresh_s = refresh_dashboard_rollup()
    pages = {
        "queue_group": (people["top_officer"], "/queues/group/"),
        "queue_inbox": (people["officer"], "/queues/"),
        "queue_approvals": (people["approver"], "/queues/approvals/"),
        "dashboard": (people["inspector"], f"/dashboard/?org={people['top'].pk}"),
    }
    clients = {}
    for name, (user, _url) in pages.items():
        clients[name] = Client()
        clients[name].force_login(user)
    p50: dict[str, list[float]] = {name: [] for name in pages}
    p95: dict[str, list[float]] = {name: [] for name in pages}
    queries: dict[str, int] = {}
    for run in range(RUNS):
        for name, (_user, url) in pages.items():
            times, queries[name] = measure(clients[name], url)
            p50[name].append(percentile(times, 0.5))
            p95[name].append(percentile(times, 0.95))
            common.log(f"run {run}: {name} p50 {p50[name][-1]:.1f} ms p95 {p95[name][-1]:.1f} ms")
    metrics: dict[str, Any] = {}
    for name in pages:
        metrics[f"{name}_p50"] = common.metric(p50[name], "ms", digits=2)
        metrics[f"{name}_p95"] = common.metric(p95[name], "ms", digits=2)
        metrics[f"{name}_queries"] = common.metric([float(queries[name])] * RUNS, "queries")
    metrics["dashboard_rollup_refresh"] = common.metric([refresh_s], "s", digits=2)
    explained = {
        name: plans(clients[name], url)
        for name, (_user, url) in pages.items()
        if name.startswith("queue_")
    }
    open_tasks = TaskDue.objects.filter(state__in=["open", "assigned"]).count()
    common.emit(
        name="screens",
        metrics=metrics,
        size={
            "members": Member.objects.count(),
            "cases": Case.objects.count(),
            "open_cases": Case.objects.exclude(status__in=CLOSED_STATUSES).count(),
            "open_tasks": open_tasks,
            "group_queue_rows": TaskDue.objects.filter(
                state="open", role="contact_officer"
            ).count(),
        },
        runs=RUNS,
        notes=(
            f"Django test client, {REQUESTS} requests per page per run, PostgreSQL, "
            "load average at start "
            f"{os.getloadavg()[0]:.1f}. queue_group: /queues/group/ for a contact officer "
            "at the top organisation department (every branch's unclaimed tasks); "
            "queue_inbox: /queues/ for the officer holding most tasks; queue_approvals: "
            "/queues/approvals/ for a committee approver; dashboard: the top department, "
            "read from the nightly rollup (refreshed once before measuring, "
            "dashboard_rollup_refresh; overdue tasks counted live). "
            "Data: generate_load"
            + (f" (the load adopted from {adopt})" if adopt else "")
            + ", half the cases closed, one open flow task per open case. "
            "Goals (#21) at xlarge: queue p95 <= 50 ms, dashboard p95 <= 200 ms, the same "
            "query counts. The dashboard of the top department at xlarge (one request, "
            "2026-12-04, 500 committee rows): ~140 ms in the database for the live count of "
            "overdue flow tasks (index-only over ~400,000 open overdue tasks, summed per "
            "dashboard row in SQL), ~30 ms for the rollup rows, and ~150-200 ms of Python "
            "rendering the 500 rows. Next: page the child rows (the cost follows the rows "
            "shown), and keep overdue counts per organisation current from the flow's writes "
            "instead of counting them live. "
            "Plans (EXPLAIN, scans of each SELECT of one request): "
            + " | ".join(f"{name}: {plan}" for name, plan in explained.items())
        ),
    )


if __name__ == "__main__":
    main()
