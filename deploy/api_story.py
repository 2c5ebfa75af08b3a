"""Run docs/api-story.sh against a throwaway demo: a fresh SQLite database in a temporary
directory, migrated and seeded like `make up`, served by the dev server on a free loopback
port; the script drives a case through /api/v1/ only; the server is stopped and the
directory removed whatever happens. Exit status: the script's.

    .venv/bin/python deploy/api_story.py [--keep]   (--keep: leave the temp dir for a look)
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_ready(url: str, server: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the dev server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the dev server did not answer {url} within {timeout:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lianluo-api-story-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings.dev",
        "DATABASE_URL": f"sqlite:///{(work / 'db.sqlite3').as_posix()}",
        "LIANLUO_VAR_DIR": str(work),
        "LIANLUO_FONT_DIR": os.environ.get(
            "LIANLUO_FONT_DIR", str(ROOT / "var" / "fonts" / "fandol")
        ),
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
        seeded = time.monotonic()
        port = free_port()
        log = (work / "server.log").open("wb")
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        wait_ready(f"{base}/healthz", server)
        story = subprocess.run(
            ["bash", str(ROOT / "docs" / "api-story.sh")],
            env={**env, "BASE": base},
            cwd=ROOT,
            check=False,
        )
        done = time.monotonic()
        print(
            f"api-story: exit {story.returncode}; set-up {seeded - started:.0f} s, "
            f"story {done - seeded:.0f} s"
        )
        if story.returncode != 0:
            print((work / "server.log").read_text(errors="replace")[-4000:], file=sys.stderr)
        return story.returncode
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
