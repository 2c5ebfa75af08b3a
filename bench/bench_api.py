"""API throughput: requests/s and p95 latency of GET /api/v1/cases/ (token auth, 50 rows a
page) under concurrent load against gunicorn on PostgreSQL, all on loopback.

Usage: .venv/bin/python bench/bench_api.py [--size small|large]
Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/lianluo_api), migrates it,
seeds a committee with branches, members and open cases, creates an API token for an
inspector over the committee, starts gunicorn on 127.0.0.1 (free port) and drives it with
a thread pool of keep-alive HTTP clients for a bounded number of requests per run.
The task inbox endpoint is not on main yet, so the case list stands in for it.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lianluo_api")

SIZES = {
    "small": {"cases": 300, "branches": 6, "requests": 400, "clients": 4, "workers": 2},
    "large": {"cases": 3000, "branches": 20, "requests": 4000, "clients": 8, "workers": 4},
}
RUNS = 3
PATH = "/api/v1/cases/?page_size=50"


def seed(cases: int, branches: int) -> str:
    """Organisations, members, open cases; returns a plaintext API token of an inspector."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from casework.models import Case, OrgKind, Role
    from casework.policy import rules_for
    from casework.services.members import member_create
    from casework.services.organisations import organisation_create, role_assign
    from tests.factories import UserFactory, valid_id_number
    from web.api.tokens import api_token_create

    call_command("migrate", verbosity=0)
    tag = uuid.uuid4().hex[:8]
    committee = organisation_create(
        name=f"基准党委{tag}", kind=OrgKind.COMMITTEE, parent=None, code=f"A{tag}"
    )
    orgs = [
        organisation_create(
            name=f"基准支部{tag}-{n}", kind=OrgKind.BRANCH, parent=committee, code=f"A{tag}-{n}"
        )
        for n in range(branches)
    ]
    inspector: Any = UserFactory(username=f"bench-inspector-{tag}")
    role_assign(user=inspector, role=Role.INSPECTOR, organisation=committee)
    rule_set = rules_for(timezone.localdate()).code
    # A birth date per run keeps ID numbers unique across repeated runs on the same database.
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=secrets.randbelow(15000))
    rows = []
    for n in range(cases):
        member = member_create(
            organisation=orgs[n % branches],
            name=f"党员{n}",
            gender="M",
            id_number=valid_id_number(birth=birth),
            source="bench",
        )
        rows.append(Case(member=member, organisation=member.organisation, rule_set=rule_set))
    Case.objects.bulk_create(rows)
    _, token = api_token_create(user=inspector, name="bench")
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
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    size = SIZES[parser.parse_args().size]
    token = seed(size["cases"], size["branches"])
    port = free_port()
    env = {**os.environ, "LIANLUO_LOG_LEVEL": "WARNING", "LOG_LEVEL": "WARNING"}
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
    try:
        wait_ready(port)
        load(port, token, size["clients"] * 10, size["clients"])  # warm-up
        for _ in range(RUNS):
            seconds, latencies, bad = load(port, token, size["requests"], size["clients"])
            rps.append(len(latencies) / seconds)
            p95s.append(p95(latencies) * 1000)
            medians.append(statistics.median(latencies) * 1000)
            errors += bad
    finally:
        server.terminate()
        server.wait(timeout=30)

    def summary(values: list[float], unit: str) -> dict[str, Any]:
        return {
            "median": round(statistics.median(values), 2),
            "min": round(min(values), 2),
            "max": round(max(values), 2),
            "unit": unit,
        }

    print(
        json.dumps(
            {
                "name": "api_case_list",
                "metrics": {
                    "requests_per_second": summary(rps, "req/s"),
                    "latency_p95": summary(p95s, "ms"),
                    "latency_median": summary(medians, "ms"),
                    "non_200_responses": summary([float(errors)] * RUNS, "count"),
                },
                "size": size,
                "runs": RUNS,
                "notes": (
                    f"GET {PATH} with a bearer token (inspector over the committee, "
                    f"{size['cases']} open cases in scope), gunicorn sync workers on loopback, "
                    "PostgreSQL; the task inbox endpoint is not on main yet, so the case list "
                    "stands in; 2 shared cores, numbers are indicative."
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
