"""Human-task completions per second through the case flow + casework services on PostgreSQL,
with 2 worker processes, and SQL queries per completion.

    .venv/bin/python bench/bench_task_completions.py [--size tiny|small|large]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres]

Each case goes outreach(located) → talk (case_mark_located + talk record document) →
assess_cause (objective) → approval (case_approve + 批复) → close (case_close): 5 human-task
completions, each preceded by its claim. Cases are spread over many branches (the audit chain
is per organisation). PDF rendering is a Celery job after commit and is not part of a
completion (disabled here). Prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
SIZES = {
    "tiny": {"cases_per_process": 5, "branches": 4},
    "small": {"cases_per_process": 40, "branches": 20},
    "large": {"cases_per_process": 400, "branches": 100},
}
DB_NAME = os.environ.get(
    "BENCH_DB_NAME", "lianluo_bench_task_completions" + os.environ.get("BENCH_DB_SUFFIX", "")
)
STEPS = 5


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def statement_label(sql: str) -> str:
    """What one SQL statement does, in a few words: its verb and tables (the rows written,
    for a combined WITH … statement; the FOR UPDATE of a locking read)."""
    text = " ".join(sql.split())
    head = text.split(" ", 1)[0].upper()
    if head == "WITH":
        writes = re.findall(r'\b(INSERT INTO|UPDATE) "?([\w.]+)"?', text)
        return "WITH " + " + ".join(f"{verb.split()[0]} {table}" for verb, table in writes)
    if head == "SELECT":
        tables = re.findall(r'\b(?:FROM|JOIN) "?([\w.]+)"?', text)
        first = tables[0] if tables else "?"
        joined = f" (+{len(tables) - 1} joined)" if len(tables) > 1 else ""
        locked = " FOR UPDATE" if " FOR UPDATE" in text else ""
        return f"SELECT {first}{joined}{locked}"
    if head in ("INSERT", "UPDATE", "DELETE"):
        match = re.match(r'(INSERT INTO|UPDATE|DELETE FROM) "?([\w.]+)"?', text)
        upsert = " ON CONFLICT DO UPDATE" if "DO UPDATE" in text else ""
        return f"{head} {match.group(2) if match else '?'}{upsert}"
    return head


def _with_db(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "settings.test"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import documents.services

    documents.services._enqueue_render = lambda document_id: None


def _create_database(server_url: str) -> str:
    import psycopg

    with psycopg.connect(_with_db(server_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    return _with_db(server_url, DB_NAME)


def _drop_database(server_url: str) -> None:
    import psycopg

    with psycopg.connect(_with_db(server_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def _world(branches: int) -> list[dict[str, int]]:
    """Branches under one committee, each with an officer; returns ids per branch."""
    from casework.models import MembershipType, OrgKind, Role
    from tests.factories import make_member, make_org, make_user

    dept = make_org("基准组织部", OrgKind.DEPARTMENT, doc_code="基组", may_approve=True)
    committee = make_org("基准党委", OrgKind.COMMITTEE, dept, doc_code="基委", may_approve=True)
    out = []
    for i in range(branches):
        branch = make_org(f"基准第{i}党支部", OrgKind.BRANCH, committee, doc_code=f"基{i}支")
        officer = make_user(f"bench_officer_{i}", Role.CONTACT_OFFICER, branch)
        approver = make_user(f"bench_approver_{i}", Role.COMMITTEE_APPROVER, committee)
        # The branch's secretary signs its 请示 upward.
        make_user(f"bench_secretary_{i}", Role.BRANCH_SECRETARY, branch)
        t1 = make_member(branch, name="谈话人甲", membership_type=MembershipType.FULL)
        t2 = make_member(branch, name="谈话人乙", membership_type=MembershipType.FULL)
        out.append(
            {
                "branch": branch.pk,
                "officer": officer.pk,
                "approver": approver.pk,
                "t1": t1.pk,
                "t2": t2.pk,
            }
        )
    return out


def _open_cases(world: list[dict[str, int]], count: int, tag: str) -> list[tuple[int, int]]:
    """Open `count` cases (processes start via the hook); returns (case_id, branch index)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from casework.models import Organisation

    User = get_user_model()
    from casework.services.cases import case_open
    from tests.factories import make_member

    opened = []
    for n in range(count):
        b = n % len(world)
        branch = Organisation.objects.get(pk=world[b]["branch"])
        officer = User.objects.get(pk=world[b]["officer"])
        member = make_member(branch, name=f"党员{tag}{n}")
        with transaction.atomic():
            case = case_open(member=member, actor=officer)
        opened.append((case.pk, b))
    return opened


def _walk(
    world: list[dict[str, int]],
    cases: list[tuple[int, int]],
    count_queries: bool = False,
    time_db: bool = False,
) -> dict[str, Any]:
    """Drive every case through its 5 steps; returns elapsed seconds, query counts per step
    (count_queries) and the seconds spent waiting on the database (time_db)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from casework.models import Member

    User = get_user_model()
    from workflows import services
    from workflows.models import TaskDue

    users = {uid: User.objects.get(pk=uid) for w in world for uid in (w["officer"], w["approver"])}
    talkers = {
        i: (Member.objects.get(pk=w["t1"]), Member.objects.get(pk=w["t2"]))
        for i, w in enumerate(world)
    }
    today = timezone.localdate()
    complete_queries: list[int] = []
    claim_queries: list[int] = []
    step_queries: dict[str, list[int]] = {}
    statements: dict[str, dict[str, list[str]]] = {}
    db_seconds = [0.0]
    # where a completion's time goes (time_db runs): the bench's own lookup of the task, the
    # claim, the step form (the task page's read + validation), the completion, and the step
    # documents numbered inside the completion
    phases = {"lookup": 0.0, "claim": 0.0, "form": 0.0, "complete": 0.0, "documents": 0.0}

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db_seconds[0] += time.perf_counter() - t

    def do(case_id: int, node: str, user: Any, data: dict[str, Any]) -> None:
        t0 = time.perf_counter()
        task_id, process_id = (
            TaskDue.objects.filter(case_id=case_id, node=node, state="open")
            .values_list("task_id", "task__process_id")
            .get()
        )
        if count_queries:
            with CaptureQueriesContext(connection) as ctx:
                services.task_claim(task_id=task_id, user=user)
            claim_queries.append(len(ctx.captured_queries))
            claimed = [statement_label(q["sql"]) for q in ctx.captured_queries]
        else:
            t1 = time.perf_counter()
            services.task_claim(task_id=task_id, user=user)
            phases["lookup"] += t1 - t0
            phases["claim"] += time.perf_counter() - t1
        t2 = time.perf_counter()
        form = services.task_form(task_id=task_id, user=user, data=data)
        if not form.is_valid():
            raise RuntimeError(f"{node}: {form.errors.as_json()}")
        t3 = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            services.task_complete(
                task_id=task_id, process_id=process_id, user=user, data=form.cleaned_data
            )
        phases["form"] += t3 - t2
        phases["complete"] += time.perf_counter() - t3
        if count_queries:
            complete_queries.append(len(ctx.captured_queries))
            step_queries.setdefault(node, []).append(len(ctx.captured_queries))
            statements.setdefault(
                node,
                {
                    "claim": claimed,
                    "complete": [statement_label(q["sql"]) for q in ctx.captured_queries],
                },
            )

    from workflows.services import tasks

    issue = tasks.issue_step_documents

    def issue_timed(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return issue(*args, **kwargs)
        finally:
            phases["documents"] += time.perf_counter() - t

    wrapper = connection.execute_wrapper(timed) if time_db else contextlib.nullcontext()
    start = time.perf_counter()
    tasks.issue_step_documents = issue_timed
    try:
        with wrapper:
            _drive(cases, world, users, talkers, today, do)
    finally:
        tasks.issue_step_documents = issue
    return {
        "elapsed": time.perf_counter() - start,
        "db_seconds": db_seconds[0],
        "completions": len(cases) * STEPS,
        "complete_queries": complete_queries,
        "claim_queries": claim_queries,
        "step_queries": step_queries,
        "statements": statements,
        "phases": phases,
    }


def _drive(
    cases: list[tuple[int, int]],
    world: list[dict[str, int]],
    users: dict[int, Any],
    talkers: dict[int, Any],
    today: Any,
    do: Any,
) -> None:
    for case_id, b in cases:
        officer, approver = users[world[b]["officer"]], users[world[b]["approver"]]
        a, c = talkers[b]
        talk = {
            "talker1": a.pk,
            "talker2": c.pk,
            "held_on": today,
            "place": "党支部活动室",
            "recorder": c.pk,
            "content": "更换手机号码",
        }
        do(case_id, "outreach", officer, {"action": "located"})
        do(case_id, "talk", officer, talk)
        do(case_id, "assess_cause", officer, {"cause": "objective"})
        do(case_id, "approval", approver, {"decision": "agree"})
        do(case_id, "close", officer, {})


def _worker(
    url: str, world: list[dict[str, int]], cases: list[tuple[int, int]], queue: Any, go: Any
) -> None:
    _setup_django(url)
    go.wait()
    queue.put(_walk(world, cases))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=list(SIZES), default="small")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args()
    size = SIZES[args.size]
    url = _create_database(args.database_url)
    try:
        _setup_django(url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        world = _world(size["branches"])
        per = size["cases_per_process"]
        # queries per completion, single process
        probe = _walk(world, _open_cases(world, 5, "probe"), count_queries=True)
        # one process, the database time measured around every statement
        single = _walk(world, _open_cases(world, per, "single"), time_db=True)
        single_ms = 1000 * single["elapsed"] / single["completions"]
        single_db_ms = 1000 * single["db_seconds"] / single["completions"]
        log(
            f"single process: {single['completions'] / single['elapsed']:.1f}/s, "
            f"{single_ms:.2f} ms per claim + complete, of which {single_db_ms:.2f} ms in the "
            "database driver (round trips + PostgreSQL)"
        )
        rates = []
        ctx = mp.get_context("spawn")
        for run in range(args.repeats):
            cases = _open_cases(world, 2 * per, f"r{run}")
            from django.db import connections

            connections.close_all()
            queue, go = ctx.Queue(), ctx.Event()
            procs = [
                ctx.Process(target=_worker, args=(url, world, cases[i::2], queue, go))
                for i in range(2)
            ]
            for p in procs:
                p.start()
            time.sleep(3)  # let both processes import and set up Django
            t0 = time.perf_counter()
            go.set()
            results = [queue.get() for _ in procs]
            wall = time.perf_counter() - t0
            for p in procs:
                p.join()
            done = sum(r["completions"] for r in results)
            rates.append(done / max(r["elapsed"] for r in results))
            log(f"run {run}: {done} completions, wall {wall:.2f}s, {rates[-1]:.1f}/s")

        def metric(values: list[float], unit: str) -> dict[str, Any]:
            return {
                "median": statistics.median(values),
                "min": min(values),
                "max": max(values),
                "unit": unit,
            }

        print(
            json.dumps(
                {
                    "name": "task_completions",
                    "metrics": {
                        "completions_per_s": metric(
                            rates, "completions/s (claim + complete, 2 processes)"
                        ),
                        "queries_per_completion": metric(
                            [float(q) for q in probe["complete_queries"]], "queries"
                        ),
                        "queries_per_claim": metric(
                            [float(q) for q in probe["claim_queries"]], "queries"
                        ),
                        **{
                            f"queries_{node}": metric([float(q) for q in counts], "queries")
                            for node, counts in probe["step_queries"].items()
                        },
                        "single_process_completions_per_s": metric(
                            [single["completions"] / single["elapsed"]],
                            "completions/s (claim + complete, 1 process)",
                        ),
                        "single_process_ms_per_completion": metric([single_ms], "ms"),
                        "single_process_db_ms_per_completion": metric(
                            [single_db_ms], "ms (inside cursor.execute)"
                        ),
                        **{
                            f"single_process_{phase}_ms": metric(
                                [1000 * seconds / single["completions"]],
                                "ms per completion",
                            )
                            for phase, seconds in single["phases"].items()
                        },
                    },
                    "size": {**size, "processes": 2, "steps_per_case": STEPS},
                    "runs": len(rates),
                    # what each step's claim and completion sent, in order (first probe case)
                    "statements": probe["statements"],
                    "notes": (
                        "PostgreSQL, settings.test; each completion = claim + complete under the "
                        "process lock (select_for_update_lock) with one casework service, step "
                        "documents numbered in-transaction (PDF render disabled: a Celery job "
                        "after commit); no enclosing transaction, so no SAVEPOINT/RELEASE; "
                        "`statements` lists what each step sends. single_process_*_ms split one "
                        "completion: lookup (the benchmark finding the task), claim, form (the "
                        "task page's read of the task and the form's validation), complete, and "
                        "documents (the step's documents numbered and checked inside complete). "
                        "Goals (#21): <= 12 ms and >= 150/s on 2 processes are not met; the "
                        "profile puts most of the remaining time in Django's SQL compilation "
                        "(about 16 statements per claim + form + complete) and the documents' "
                        "fact reads. Next: one compiled read for the claim's lock + task + case, "
                        "a light task read for the form, and the documents' facts from rows the "
                        "completion already holds. Tried and dropped: psycopg server-side binding "
                        "(prepared statements after 5 runs): 23.9 vs 23.4 ms, no gain."
                    ),
                },
                ensure_ascii=False,
            )
        )
    finally:
        from django.db import connections

        connections.close_all()
        _drop_database(args.database_url)


if __name__ == "__main__":
    main()
