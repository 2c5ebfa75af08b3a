"""Case transitions per second through the service layer on PostgreSQL, and SQL per transition.

Usage: .venv/bin/python bench/bench_case_services.py [--size small|large]
Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/lianluo_cases), migrates it,
prepares cases in bulk (members and cases by bulk_create, spread over several branches so
the per-organisation audit chains don't serialise the two processes), then 2 processes
(each its own DB connection) drive every case through 9 human-task completions:
start outreach → located with talk → cause → proposal → pre-review → notice → defence →
meeting → approval. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
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
BENCH_DB = "lianluo_bench_case_services" + os.environ.get("BENCH_DB_SUFFIX", "")


def _scratch_database(server_url: str) -> str:
    """A fresh database on the server run.py names (BENCH_DATABASE_URL)."""
    from urllib.parse import urlparse, urlunparse

    import psycopg

    admin = urlunparse(urlparse(server_url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    return urlunparse(urlparse(server_url)._replace(path=f"/{BENCH_DB}"))


_run_py = os.environ.get("BENCH_DATABASE_URL")  # set by bench/run.py
if __name__ == "__main__" and "DATABASE_URL" not in os.environ and _run_py:
    os.environ["DATABASE_URL"] = _scratch_database(_run_py)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lianluo_cases")

SIZES = {"small": {"cases": 120, "branches": 8}, "large": {"cases": 1200, "branches": 16}}
STEPS = 9
PROCESSES = 2


def _setup() -> None:
    import django

    django.setup()


def prepare(cases: int, branches: int) -> dict[str, Any]:
    """Organisations, users and `cases` registered cases, created in bulk."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from casework.crypto import blind_index
    from casework.models import Case, Member, OrgKind, Role
    from casework.policy import rules_for
    from casework.services.organisations import organisation_create, role_assign

    call_command("migrate", verbosity=0)
    tag = uuid.uuid4().hex[:8]
    user_model = get_user_model()

    def org(name: str, kind: str, parent=None, **kw):
        return organisation_create(name=name, kind=kind, parent=parent, code=f"B{tag}{name}", **kw)

    def user(name: str):
        return user_model.objects.create(username=f"b{tag}{name}")

    dept = org("部", OrgKind.DEPARTMENT, may_approve=True)
    committee = org("委", OrgKind.COMMITTEE, dept, may_approve=True)
    officer, secretary, approver = user("officer"), user("secretary"), user("approver")
    role_assign(user=officer, role=Role.CONTACT_OFFICER, organisation=committee)
    role_assign(user=secretary, role=Role.BRANCH_SECRETARY, organisation=committee)
    role_assign(user=approver, role=Role.COMMITTEE_APPROVER, organisation=committee)
    branch_list = [org(f"支{i}", OrgKind.BRANCH, committee) for i in range(branches)]
    rule_set = rules_for(timezone.localdate()).code
    with transaction.atomic():
        members = [
            Member(
                organisation=branch_list[i % branches],
                name=f"党员{i}",
                gender="M",
                id_number=f"X{tag}{i}",
                id_number_index=blind_index("id_number", f"{tag}-{i}"),
                phone="13800000000",
            )
            for i in range(cases)
        ]
        Member.objects.bulk_create(members)
        talkers = Member.objects.bulk_create(
            [
                Member(
                    organisation=committee,
                    name=f"谈话人{i}",
                    gender="F",
                    id_number=f"T{tag}{i}",
                    id_number_index=blind_index("id_number", f"{tag}-t{i}"),
                )
                for i in range(2)
            ]
        )
        created = Case.objects.bulk_create(
            [
                Case(member=m, organisation=m.organisation, rule_set=rule_set, opened_by=officer)
                for m in members
            ]
        )
    # Each process gets whole branches, so their audit streams never collide.
    by_branch: dict[int, list[int]] = {}
    for case in created:
        by_branch.setdefault(case.organisation_id, []).append(case.pk)
    shares: list[list[int]] = [[] for _ in range(PROCESSES)]
    for index, ids in enumerate(by_branch.values()):
        shares[index % PROCESSES].extend(ids)
    return {
        "shares": shares,
        "users": {"officer": officer.pk, "secretary": secretary.pk, "approver": approver.pk},
        "talkers": [t.pk for t in talkers],
    }


def drive(case_id: int, users: dict[str, Any], talkers: Any) -> None:
    """The nine completions of one case."""
    from django.utils import timezone

    from casework.services import cases as svc

    officer, secretary, approver = users["officer"], users["secretary"], users["approver"]
    today = timezone.localdate()
    from casework.models import Case

    # An unsaved handle is enough: every service re-reads and locks the row by pk.
    case = svc.case_start_outreach(case=Case(pk=case_id), actor=officer)
    case = svc.case_mark_located(
        case=case,
        actor=officer,
        talkers=talkers,
        held_on=today,
        content="谈话记录",
    )
    case = svc.case_assess_cause(case=case, actor=officer, cause="subjective")
    case = svc.case_propose(case=case, actor=officer, kind="correction", grounds=["slack_work"])
    case = svc.case_pre_review(case=case, actor=approver)
    case = svc.case_notify_member(case=case, actor=officer, notified_on=today)
    case = svc.case_close_defence(case=case, actor=officer, defence_text="无异议")
    case = svc.case_record_meeting(
        case=case,
        actor=secretary,
        held_on=today,
        voting_members=9,
        present=8,
        votes_for=7,
        votes_against=1,
        abstentions=0,
    )
    svc.case_approve(case=case, actor=approver)


def _load(users: dict[str, int], talker_ids: list[int]):
    from django.contrib.auth import get_user_model

    from casework.models import Member

    model = get_user_model()
    loaded = {name: model.objects.get(pk=pk) for name, pk in users.items()}
    talkers = tuple(Member.objects.filter(pk__in=talker_ids).order_by("pk"))
    return loaded, talkers


def worker(args: Any) -> tuple[float, int]:
    case_ids, users, talker_ids, start = args
    _setup()
    from django.db import connection

    loaded, talkers = _load(users, talker_ids)
    start.wait()
    began = time.perf_counter()
    for case_id in case_ids:
        drive(case_id, loaded, talkers)
    elapsed = time.perf_counter() - began
    connection.close()
    return elapsed, len(case_ids) * STEPS


def queries_per_transition(
    case_id: int, users: dict[str, int], talker_ids: list[int], statements: dict[str, list[str]]
) -> list[int]:
    """The statements each transition sends (counts; their labels into `statements`)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.bench_task_completions import statement_label

    loaded, talkers = _load(users, talker_ids)
    counts: list[int] = []
    with CaptureQueriesContext(connection) as ctx:
        # Re-run the chain step by step, counting each step's queries.
        import casework.services.cases as svc

        originals = {}
        for name in (
            "case_start_outreach",
            "case_mark_located",
            "case_assess_cause",
            "case_propose",
            "case_pre_review",
            "case_notify_member",
            "case_close_defence",
            "case_record_meeting",
            "case_approve",
        ):
            originals[name] = getattr(svc, name)

            def counted(_fn=originals[name], _name=name, **kw):
                before = len(ctx.captured_queries)
                result = _fn(**kw)
                counts.append(len(ctx.captured_queries) - before)
                statements[_name] = [
                    statement_label(q["sql"]) for q in ctx.captured_queries[before:]
                ]
                return result

            setattr(svc, name, counted)
        try:
            drive(case_id, loaded, talkers)
        finally:
            for name, fn in originals.items():
                setattr(svc, name, fn)
    return counts


def run_once(size: dict[str, int]) -> dict[str, Any]:
    _setup()
    from django.db import connection

    prepared = prepare(size["cases"] + 1, size["branches"])
    shares = prepared["shares"]
    assert isinstance(shares, list)
    probe = shares[0].pop()
    statements: dict[str, list[str]] = {}
    counts = queries_per_transition(probe, prepared["users"], prepared["talkers"], statements)
    connection.close()
    ctx = mp.get_context("fork")
    with ctx.Pool(PROCESSES) as pool:
        manager = ctx.Manager()
        start = manager.Event()
        pending = pool.map_async(
            worker,
            [(share, prepared["users"], prepared["talkers"], start) for share in shares],
        )
        time.sleep(2)  # let both processes set up Django and load their users
        wall_start = time.perf_counter()
        start.set()
        results = pending.get(timeout=1800)
        wall = time.perf_counter() - wall_start
        manager.shutdown()
    done = sum(n for _, n in results)
    return {
        "rate": done / wall,
        "queries_mean": statistics.mean(counts),
        "queries_max": max(counts),
        "transitions": done,
        "statements": statements,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    size = SIZES[options.size]
    runs = [run_once(size) for _ in range(options.runs)]

    def metric(key: str, unit: str) -> dict[str, object]:
        values = [r[key] for r in runs]
        return {
            "median": round(statistics.median(values), 2),
            "min": round(min(values), 2),
            "max": round(max(values), 2),
            "unit": unit,
        }

    print(
        json.dumps(
            {
                "name": "case_services",
                "metrics": {
                    "transitions_per_second": metric("rate", "transitions/s"),
                    "queries_per_transition_mean": metric("queries_mean", "queries"),
                    "queries_per_transition_max": metric("queries_max", "queries"),
                },
                "size": {**size, "processes": PROCESSES, "steps_per_case": STEPS},
                "runs": len(runs),
                # what each transition sent, in order (the first run's probe case)
                "statements": runs[0]["statements"],
                "notes": "PostgreSQL, 2 processes, service layer only (no viewflow); each "
                "completion = lock case row + fsm transition + rows + timeline + audit. Goal "
                "(#21): >= 500/s on 2 processes and <= 10 statements (met). A profile of one "
                "process (30 cases, 270 transitions, 2026-12-04) gave ~6.1 ms per transition "
                "of which ~2.4 ms inside the database driver; the rest is Python: Django's "
                "SQL compilation and model building for the ~7 statements, the audit append "
                "(~1/5 of the time: the stream lock and the hashed event) and the hook that "
                "lets an open flow follow the case (one lookup when the case has no process). "
                "Next: the locked case read and the audit stream lock in one statement, and "
                "compiled statements reused across transitions.",
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
