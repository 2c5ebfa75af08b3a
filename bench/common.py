"""Shared helpers for bench/bench_<topic>.py scripts (format: bench/README.md).

    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench import common

    args = common.parse_args("my topic", sizes={"tiny": {...}, "small": {...}, "large": {...}})
    with common.bench_database("mytopic", args.database_url, keep=args.keep_database):
        from casework.models import Member  # Django is set up inside the block
        times = common.repeat(work, repeats=args.repeats, setup=common.reset_database)
        common.emit(
            name="mytopic",
            metrics={"rows_per_s": common.rate_metric(rows, times, "rows/s")},
            size=args.size_params,
            runs=len(times),
            notes="...",
        )

Only the final JSON object goes to stdout; use common.log() for progress (stderr).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
SIZES = ("tiny", "small", "large")
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
_state: dict[str, Any] = {}


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


# --- arguments ---------------------------------------------------------------------------


def parse_args(
    description: str,
    *,
    sizes: Mapping[str, Mapping[str, Any]],
    repeats: int = 3,
    argv: list[str] | None = None,
) -> argparse.Namespace:
    """--size tiny|small|large (default small), --repeats, --database-url, --keep-database.

    `sizes` maps each size to its parameters; they come back as args.size_params.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--size", choices=list(sizes), default="small")
    parser.add_argument("--repeats", type=int, default=None, help=f"default {repeats}")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER_URL),
        help="PostgreSQL server to create the throw-away database on (or sqlite:///path)",
    )
    parser.add_argument(
        "--keep-database",
        action="store_true",
        default=os.environ.get("BENCH_KEEP_DATABASE") == "1",
        help="keep the throw-away database afterwards (also BENCH_KEEP_DATABASE=1)",
    )
    args = parser.parse_args(argv)
    args.size_params = dict(sizes[args.size])
    # tiny proves the script works (CI): one repeat unless asked for more
    args.repeats = args.repeats or (1 if args.size == "tiny" else repeats)
    return args


# --- the throw-away database -------------------------------------------------------------


def _with_db(url: str, name: str) -> str:
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path=f"/{name}"))


def _admin(url: str) -> Any:
    import psycopg

    return psycopg.connect(_with_db(url, "postgres"), autocommit=True)


def _migrations_key() -> str:
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def db_suffix() -> str:
    """bench/run.py sets BENCH_DB_SUFFIX to the size ("_tiny", "_xlarge" …), so a CI run at
    tiny never drops the database of a long run at another size on the same server."""
    return os.environ.get("BENCH_DB_SUFFIX", "")


def _create(url: str, name: str, template: str | None = None) -> None:
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        suffix = f' TEMPLATE "{template}"' if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{suffix}')


def _exists(url: str, name: str) -> bool:
    with _admin(url) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            is not None
        )


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.test")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _ensure_template(server_url: str) -> str:
    """A migrated template database per migration set: cloning it beats migrating each run."""
    template = f"lianluo_bench_tpl_{_migrations_key()}"
    if _exists(server_url, template):
        return template
    building = f"{template}_b{os.getpid()}"
    _create(server_url, building)
    env = {**os.environ, "DATABASE_URL": _with_db(server_url, building)}
    env.setdefault("DJANGO_SETTINGS_MODULE", "settings.test")
    import subprocess

    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0", "--noinput"],
        env=env,
        check=True,
        cwd=ROOT,
    )
    import psycopg

    with _admin(server_url) as conn:
        try:
            conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
        except psycopg.errors.DuplicateDatabase:  # another script built it meanwhile
            conn.execute(f'DROP DATABASE "{building}" WITH (FORCE)')
    return template


@contextlib.contextmanager
def bench_database(topic: str, server_url: str, *, keep: bool = False) -> Iterator[str]:
    """Create lianluo_bench_<topic><suffix> (migrated), point Django at it, drop it afterwards."""
    if server_url.startswith("sqlite"):
        path = ROOT / "var" / f"bench_{topic}.sqlite3"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        _state.update(url=url, server=server_url, name=None)
        _setup_django(url)
        _migrate()
        try:
            yield url
        finally:
            if not keep:
                from django.db import connections

                connections.close_all()
                path.unlink(missing_ok=True)
        return
    name = f"lianluo_bench_{topic}{db_suffix()}"
    template = _ensure_template(server_url)
    _create(server_url, name, template)
    url = _with_db(server_url, name)
    _state.update(url=url, server=server_url, name=name, template=template)
    _setup_django(url)
    try:
        yield url
    finally:
        from django.db import connections

        connections.close_all()
        if not keep:
            with _admin(server_url) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def reset_database() -> None:
    """Empty the throw-away database again (re-cloned from the template; SQLite: re-migrated)."""
    from django.db import connections

    connections.close_all()
    if _state.get("name"):
        _create(_state["server"], _state["name"], _state["template"])
        return
    from django.core.management import call_command

    call_command("flush", verbosity=0, interactive=False)


def postgres_version(server_url: str | None = None) -> str:
    url = server_url or _state.get("server") or DEFAULT_SERVER_URL
    try:
        with _admin(url) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else "unknown"
    except Exception as exc:
        return f"unavailable ({type(exc).__name__})"


# --- timing and output -------------------------------------------------------------------


def repeat(
    fn: Callable[[], object],
    *,
    repeats: int = 3,
    setup: Callable[[], object] | None = None,
    warmup: int = 0,
) -> list[float]:
    """Wall seconds of fn() per repeat; setup() runs before each call, outside the timing."""
    for _ in range(warmup):
        if setup:
            setup()
        fn()
    times = []
    for n in range(repeats):
        if setup:
            setup()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        log(f"  run {n + 1}/{repeats}: {times[-1]:.3f}s")
    return times


def metric(values: list[float], unit: str, digits: int = 3) -> dict[str, Any]:
    """{"median", "min", "max", "unit"} of the samples."""
    if not values:
        raise ValueError("a metric needs at least one sample")
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
        "unit": unit,
    }


def rate_metric(count: float, seconds: list[float], unit: str) -> dict[str, Any]:
    """Throughput per run (count / seconds): min is the slowest run."""
    return metric([count / s for s in seconds if s > 0], unit, digits=1)


def peak_rss_mb() -> float:
    """Peak resident memory of this process and, separately counted, its largest child."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, child) / 1024, 1)  # Linux reports KiB


def emit(
    *,
    name: str,
    metrics: Mapping[str, Mapping[str, Any]],
    size: Mapping[str, Any],
    runs: int,
    notes: str = "",
) -> dict[str, Any]:
    """Print the one JSON object bench/run.py collects (and return it)."""
    for key, value in metrics.items():
        missing = {"median", "min", "max", "unit"} - set(value)
        if missing:
            raise ValueError(f"metric {key!r} lacks {sorted(missing)}")
    result = {
        "name": name,
        "metrics": dict(metrics),
        "size": dict(size),
        "runs": runs,
        "notes": notes,
    }
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result
