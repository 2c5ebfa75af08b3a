"""API throughput: requests/s and p95 latency of the task inbox, GET /api/v1/tasks/inbox/
(token auth, 50 rows a page), under concurrent load against gunicorn on PostgreSQL, all on
loopback.

    .venv/bin/python bench/bench_api.py [--size tiny|small|large]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres]

A throw-away database (bench/common.py) gets a committee with branches and `cases` open
cases, each with its flow started (outreach task); one contact officer over every branch
claims every task, so the inbox holds `cases` rows. gunicorn (sync workers) serves that
database on a free loopback port; a thread pool of keep-alive HTTP clients sends a bounded
number of requests per run. Prints one JSON object.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import common  # noqa: E402

SIZES = {
    "tiny": {"cases": 20, "branches": 2, "requests": 100, "clients": 2, "workers": 2},
    "small": {"cases": 300, "branches": 6, "requests": 600, "clients": 4, "workers": 2},
    "large": {"cases": 3000, "branches": 20, "requests": 4000, "clients": 8, "workers": 4},
}
PATH = "/api/v1/tasks/inbox/?page_size=50"


def seed(cases: int, branches: int) -> str:
    """Branches, open cases with their flow, every task claimed by one officer; returns the
    officer's plaintext API token."""
    import documents.services
    from casework.models import OrgKind, Role
    from casework.services.cases import case_open
    from casework.services.organisations import role_assign
    from tests.factories import make_member, make_org, make_user
    from web.api.tokens import api_token_create
    from workflows import services
    from workflows.models import TaskDue

    documents.services._enqueue_render = lambda document_id: None
    dept = make_org("基准组织部", OrgKind.DEPARTMENT, doc_code="基组", may_approve=True)
    committee = make_org("基准党委", OrgKind.COMMITTEE, dept, doc_code="基委", may_approve=True)
    orgs = [
        make_org(f"基准第{n}党支部", OrgKind.BRANCH, committee, doc_code=f"基{n}支")
        for n in range(branches)
    ]
    officer = make_user("bench_officer", Role.CONTACT_OFFICER, orgs[0])
    for org in orgs[1:]:
        role_assign(user=officer, role=Role.CONTACT_OFFICER, organisation=org)
    for n in range(cases):
        member = make_member(orgs[n % branches], name=f"党员{n}")
        case_open(member=member, actor=officer)  # autocommit: the flow starts on commit
    task_ids = list(TaskDue.objects.filter(state="open").values_list("task_id", flat=True))
    for task_id in task_ids:
        services.task_claim(task_id=task_id, user=officer)
    held = TaskDue.objects.filter(owner_id=officer.pk, state="assigned").count()
    if held != cases:
        raise RuntimeError(f"expected {cases} tasks in the inbox, found {held}")
    _, token = api_token_create(user=officer, name="bench")
    return token


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not become ready")


def load(port: int, token: str, total: int, clients: int) -> tuple[float, list[float], int]:
    """`total` GETs spread over `clients` keep-alive threads: (seconds, latencies, errors)."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_client = total // clients

    def client() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        mine: list[float] = []
        bad = 0
        for _ in range(per_client):
            start = time.perf_counter()
            conn.request("GET", PATH, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            if response.status != 200:
                bad += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, latencies, errors


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    args = common.parse_args("API inbox under load", sizes=SIZES)
    size = args.size_params
    with common.bench_database("api", args.database_url) as url:
        common.log(f"seeding {size['cases']} cases with claimed tasks …")
        token = seed(size["cases"], size["branches"])
        from django.db import connections

        connections.close_all()
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "settings.test"}
        server = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "settings.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(size["workers"]),
                "--preload",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        rps: list[float] = []
        p95s: list[float] = []
        medians: list[float] = []
        errors = 0
        load_before = os.getloadavg()[0]
        try:
            wait_ready(port)
            load(port, token, size["clients"] * 10, size["clients"])  # warm-up
            for n in range(args.repeats):
                seconds, latencies, bad = load(port, token, size["requests"], size["clients"])
                rps.append(len(latencies) / seconds)
                p95s.append(p95(latencies) * 1000)
                medians.append(statistics.median(latencies) * 1000)
                errors += bad
                common.log(f"  run {n + 1}: {rps[-1]:.1f} req/s, p95 {p95s[-1]:.1f} ms")
        finally:
            server.terminate()
            server.wait(timeout=30)
        load_after = os.getloadavg()[0]

    common.emit(
        name="api_inbox",
        metrics={
            "requests_per_second": common.metric(rps, "req/s", digits=1),
            "latency_p95": common.metric(p95s, "ms", digits=1),
            "latency_median": common.metric(medians, "ms", digits=1),
            "non_200_responses": common.metric([float(errors)], "count", digits=0),
        },
        size=size,
        runs=args.repeats,
        notes=(
            f"GET {PATH} with a bearer token; the officer holds {size['cases']} tasks; "
            f"{size['workers']} gunicorn sync workers and {size['clients']} keep-alive client "
            f"threads on the same 2 shared cores, PostgreSQL on loopback; 1-minute load "
            f"average {load_before:.1f} before, {load_after:.1f} after (other sessions share "
            "the machine): indicative figures."
        ),
    )


if __name__ == "__main__":
    main()
