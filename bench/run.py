"""Run every bench/bench_*.py, append their JSON to results.jsonl, regenerate RESULTS.md.

    .venv/bin/python bench/run.py [--size tiny|small|large] [--only NAME[,NAME]]
                                  [--database-url URL] [--timeout S] [--output-dir DIR]
                                  [--render-only]

Exit status 1 when a script crashed, timed out or printed no valid JSON (speed never fails).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_TIMEOUTS = {"tiny": 600, "small": 1800, "large": 4 * 3600, "xlarge": 12 * 3600}
SIZE_ORDER = ("tiny", "small", "large", "xlarge")
REQUIRED_KEYS = ("name", "metrics", "size", "runs")


def discover(bench_dir: Path, only: Iterable[str] = ()) -> list[Path]:
    wanted = {name.strip().removeprefix("bench_").removesuffix(".py") for name in only if name}
    scripts = sorted(bench_dir.glob("bench_*.py"))
    if wanted:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in wanted]
    return scripts


def machine(database_url: str) -> dict[str, Any]:
    """Cores, RAM, CPU model, PostgreSQL server version, Python."""
    cpu = platform.processor() or platform.machine()
    ram_gb = 0.0
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError):
        match = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
        if match:
            ram_gb = round(int(match.group(1)) / 1024 / 1024, 1)
    return {
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "cpu": cpu,
        "postgresql": _postgres_version(database_url),
        "python": platform.python_version(),
        # the machine is shared: the 1-minute load average at the start explains slow figures
        "load_avg": round(os.getloadavg()[0], 1) if hasattr(os, "getloadavg") else None,
    }


def _postgres_version(database_url: str) -> str:
    if not database_url.startswith("postgres"):
        return "not used"
    sys.path.insert(0, str(ROOT))
    from bench.common import postgres_version

    return postgres_version(database_url)


def git_commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    # the record files themselves change with every run: they do not make the code dirty
    dirty = git(
        "status",
        "--porcelain",
        "--untracked-files=no",
        "--",
        ".",
        ":(exclude)bench/results.jsonl",
        ":(exclude)bench/RESULTS.md",
    )
    return f"{commit}-dirty" if dirty else commit


def run_script(script: Path, *, size: str, timeout: float, env: dict[str, str]) -> dict[str, Any]:
    """Run one script; returns {status, seconds, result|error, size_label}."""
    record: dict[str, Any] = {"script": script.name, "size_label": size}
    start = time.perf_counter()
    command = [sys.executable, str(script), "--size", size]
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode == 2 and f"invalid choice: '{size}'" in done.stderr and size == "tiny":
            # a script without a tiny size: its small size proves it works
            record["size_label"] = "small"
            command[-1] = "small"
            done = subprocess.run(
                command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
            )
        if done.returncode == 2 and f"invalid choice: '{size}'" in done.stderr and size == "xlarge":
            record.update(status="no_size", seconds=0)  # only some scripts have an xlarge size
            return record
    except subprocess.TimeoutExpired:
        record.update(status="timeout", error=f"no result within {timeout:.0f}s")
        record["seconds"] = round(time.perf_counter() - start, 1)
        return record
    record["seconds"] = round(time.perf_counter() - start, 1)
    if done.returncode != 0:
        record.update(status="failed", error=_tail(done.stderr or done.stdout))
        return record
    try:
        result = parse_output(done.stdout)
    except ValueError as exc:
        record.update(status="failed", error=f"{exc}; stderr: {_tail(done.stderr)}")
        return record
    record.update(status="ok", result=result)
    return record


def parse_output(stdout: str) -> dict[str, Any]:
    """The last line that is a JSON object with name/metrics/size/runs."""
    for line in reversed(stdout.strip().splitlines()):
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            result = json.loads(line)
        except json.JSONDecodeError:
            continue
        missing = [key for key in REQUIRED_KEYS if key not in result]
        if missing:
            raise ValueError(f"result lacks {missing}")
        for name, value in result["metrics"].items():
            if not {"median", "min", "max", "unit"} <= set(value):
                raise ValueError(f"metric {name!r} needs median, min, max and unit")
        return dict(result)
    raise ValueError("no JSON object on stdout")


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


# --- RESULTS.md ------------------------------------------------------------------------------


def load_records(results: Path) -> list[dict[str, Any]]:
    if not results.exists():
        return []
    return [json.loads(line) for line in results.read_text().splitlines() if line.strip()]


def render_results(records: list[dict[str, Any]]) -> str:
    """Latest record per (script, size label): a section per benchmark, a table per size."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for record in records:
        latest[(record["script"], record["size_label"])] = record
    out = [
        "# Benchmark results",
        "",
        "Regenerated by `bench/run.py` from `bench/results.jsonl` (latest run per benchmark "
        "and size); do not edit by hand. Every figure is a median over repeated runs with "
        "min and max. Sizes: `tiny` proves a script works (CI), `small` is `make bench`, "
        "`large` is the goal size, `xlarge` (10M members / 2M cases) the goal size of screens, "
        "detection and the load generator.",
        "",
    ]
    for script in sorted({key[0] for key in latest}):
        heading = script.removeprefix("bench_").removesuffix(".py")
        out += [f"## {heading}", ""]
        for size in SIZE_ORDER:
            found = latest.get((script, size))
            if found:
                out += _render_record(found)
        for (other_script, label), other in sorted(latest.items()):
            if other_script == script and label not in SIZE_ORDER:
                out += _render_record(other)
    return "\n".join(out).rstrip() + "\n"


def _render_record(record: dict[str, Any]) -> list[str]:
    m = record.get("machine", {})
    where = (
        f"{m.get('cores', '?')} cores, {m.get('ram_gb', '?')} GB RAM, {m.get('cpu', '?')}, "
        f"PostgreSQL {m.get('postgresql', '?')}, Python {m.get('python', '?')}, "
        f"load average {m.get('load_avg', '?')} at start"
    )
    lines = [
        f"### size `{record['size_label']}` — {record.get('date', '?')}, "
        f"commit `{record.get('commit', '?')}`",
        "",
        f"Machine: {where}.",
        "",
    ]
    if record.get("status") != "ok":
        error = str(record.get("error", "")).splitlines()[-1:] or [""]
        lines += [f"**{record.get('status', 'failed').upper()}**: {error[0]}", ""]
        return lines
    result = record["result"]
    size = ", ".join(f"{key}={value}" for key, value in result.get("size", {}).items())
    lines += [
        f"Size: {size or '—'}; runs: {result.get('runs')}; wall time {record.get('seconds')} s.",
        "",
        "| metric | median | min | max | unit |",
        "|---|---:|---:|---:|---|",
    ]
    for name, value in result["metrics"].items():
        lines.append(
            f"| {name} | {_num(value['median'])} | {_num(value['min'])} | "
            f"{_num(value['max'])} | {value['unit']} |"
        )
    if result.get("notes"):
        lines += ["", f"Notes: {result['notes']}"]
    return [*lines, ""]


def _num(value: object) -> str:
    """As the script rounded it, with thousands separators (1,234.5; 1,000)."""
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int | float):
        return f"{value:,}"
    return str(value)


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", choices=list(SIZE_ORDER), default="small")
    parser.add_argument("--only", default="", help="comma-separated names (import,detection)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="server the scripts create throw-away databases on (passed as BENCH_DATABASE_URL)",
    )
    parser.add_argument("--timeout", type=float, default=None, help="seconds per script")
    parser.add_argument("--bench-dir", type=Path, default=BENCH_DIR)
    parser.add_argument(
        "--output-dir", type=Path, default=None, help="results.jsonl and RESULTS.md (bench/)"
    )
    parser.add_argument(
        "--render-only", action="store_true", help="regenerate RESULTS.md from results.jsonl"
    )
    args = parser.parse_args(argv)
    output = args.output_dir or args.bench_dir
    output.mkdir(parents=True, exist_ok=True)
    if args.render_only:
        (output / "RESULTS.md").write_text(render_results(load_records(output / "results.jsonl")))
        return 0
    timeout = args.timeout or DEFAULT_TIMEOUTS[args.size]
    scripts = discover(args.bench_dir, args.only.split(","))
    if not scripts:
        print(f"no bench_*.py matches {args.only!r} in {args.bench_dir}", file=sys.stderr)
        return 1
    env = {**os.environ, "BENCH_DATABASE_URL": args.database_url, "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)  # scripts create their own databases
    env["BENCH_DB_SUFFIX"] = f"_{args.size}"  # one database name per size (bench/common.py)
    # `make` exports settings.dev (DEBUG on); benchmarks run production-like test settings
    env["DJANGO_SETTINGS_MODULE"] = os.environ.get("BENCH_SETTINGS_MODULE", "settings.test")
    context = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "machine": machine(args.database_url),
    }
    failures = 0
    results = output / "results.jsonl"
    for script in scripts:
        print(f"== {script.name} --size {args.size}", file=sys.stderr, flush=True)
        record = {**context, **run_script(script, size=args.size, timeout=timeout, env=env)}
        if record["status"] == "no_size":
            print(f"   skipped: no {args.size} size", file=sys.stderr)
            continue
        with results.open("a") as stream:
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        if record["status"] != "ok":
            failures += 1
            print(f"   {record['status']}: {record.get('error', '')}", file=sys.stderr)
        else:
            summary = ", ".join(
                f"{name} {_num(value['median'])} {value['unit']}"
                for name, value in record["result"]["metrics"].items()
            )
            print(f"   ok in {record['seconds']}s: {summary}", file=sys.stderr)
    (output / "RESULTS.md").write_text(render_results(load_records(results)))
    print(f"wrote {output / 'RESULTS.md'}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
