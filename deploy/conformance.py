"""The long conformance run: schemathesis with `--checks all` over every operation of
/api/schema/ against a live throwaway demo (a fresh SQLite database in a temporary directory,
migrated and seeded like `make up`, served by the dev server on a free loopback port) as the
demo coordinator. The configuration is schemathesis.toml (what a refusal answers: 400 for a
request the schema forbids, 422 for one the rules refuse). Exit status: schemathesis'.

    .venv/bin/python deploy/conformance.py [--seed 1] [--max-examples 100] [--keep]
        [-- extra schemathesis arguments]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_story import ROOT, free_port, wait_ready

PYTHON = sys.executable
SCHEMATHESIS = str(Path(PYTHON).with_name("schemathesis"))
DEMO_USER, DEMO_PASSWORD = "coordinator", "Lianluo@2026"


def token_for(base: str) -> str:
    body = json.dumps(
        {"username": DEMO_USER, "password": DEMO_PASSWORD, "name": "conformance"}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (loopback)
        f"{base}/api/v1/auth/token/",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return str(json.load(response)["token"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--workers", default="1")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("extra", nargs="*", help="more schemathesis arguments (after --)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lianluo-conformance-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings.dev",
        "DATABASE_URL": f"sqlite:///{(work / 'db.sqlite3').as_posix()}",
        "LIANLUO_VAR_DIR": str(work),
        "LIANLUO_FONT_DIR": os.environ.get(
            "LIANLUO_FONT_DIR", str(ROOT / "var" / "fonts" / "fandol")
        ),
        # the fuzzer is one client: the rate limits would answer most requests with 429
        **{
            f"LIANLUO_API_{name}_RATE": "100000/min"
            for name in ("AUTH", "TOKEN", "VERIFY", "WEBHOOK")
        },
    }
    for name in ("CELERY_BROKER_URL", "REDIS_URL"):  # in-process tasks, like `make up`
        env.pop(name, None)
    manage = [PYTHON, str(ROOT / "manage.py")]
    server = None
    started = time.monotonic()
    try:
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
        subprocess.run(
            [*manage, "seed_demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
        )
        port = free_port()
        log = (work / "server.log").open("wb")
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        wait_ready(f"{base}/healthz", server)
        token = token_for(base)
        ready = time.monotonic()
        command = [
            SCHEMATHESIS,
            "--config-file",
            str(ROOT / "schemathesis.toml"),
            "run",
            f"{base}/api/schema/",
            "--checks",
            "all",
            "--seed",
            str(args.seed),
            "--max-examples",
            str(args.max_examples),
            "--workers",
            args.workers,
            "-H",
            f"Authorization: Bearer {token}",
            "--report",
            "ndjson",
            "--report-dir",
            str(work / "report"),
            *args.extra,
        ]
        run = subprocess.run(command, env=env, cwd=ROOT, check=False)
        done = time.monotonic()
        print(
            f"conformance: exit {run.returncode}; seed {args.seed}; set-up "
            f"{ready - started:.0f} s, run {done - ready:.0f} s"
        )
        if run.returncode != 0:
            print((work / "server.log").read_text(errors="replace")[-4000:], file=sys.stderr)
        return run.returncode
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
