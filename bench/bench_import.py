"""Member import throughput: rows/s for a fresh import and a re-import, and peak memory.

Usage: .venv/bin/python bench/bench_import.py [--size small|large] [--repeats N]
small = 5,000 rows, large = 100,000 rows (goal >= 5,000 rows/s including validation,
encryption and the bulk writes). Runs on a throw-away database lianluo_bench_import created
(from the migrated template) on the server bench/run.py names (BENCH_DATABASE_URL, default
the local PostgreSQL) and dropped afterwards. Each run imports the
generated .xlsx in a fresh process (so ru_maxrss is that run's peak), into a new
organisation, then re-imports it (every row unchanged). Prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.test")
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")

SIZES = {"small": 5_000, "large": 100_000}
HEADER = ["序号", "姓名", "性别", "公民身份号码", "出生日期", "人员类别", "入党日期",
          "所在党支部", "工作岗位", "联系电话", "家庭住址"]  # fmt: skip


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def _check(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def generate(path: Path, rows: int, salt: int) -> None:
    from openpyxl import Workbook

    rng = random.Random(salt)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    base = dt.date(1950, 1, 1)
    for i in range(rows):
        birth = base + dt.timedelta(days=(i * 7 + salt) % 20000)
        seq = (i // 20000) % 100 * 10 + rng.randint(0, 9)
        area = 110101 + (i % 20000) % 900000 + salt % 7 * 1000
        first17 = f"{area:06d}{birth:%Y%m%d}{seq:03d}"
        gender = "男" if int(first17[16]) % 2 else "女"
        sheet.append([i + 1, f"党员{i}", gender, first17 + _check(first17), birth,
                      "正式党员", dt.date(2000, 7, 1), "", "工程师",
                      f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}",
                      f"福州市鼓楼区五四路{i}号"])  # fmt: skip
    workbook.save(path)


def _run_import(path: str, code: str, queue: Any) -> None:
    import django

    django.setup()
    from casework.member_import import import_members
    from casework.models import Organisation

    org = Organisation.objects.get(code=code)
    timings = []
    for _round in range(2):  # fresh import, then a re-import of the same file
        start, cpu = time.perf_counter(), time.process_time()
        report = import_members(path=Path(path), organisation=org, actor=None)
        timings.append(
            (
                time.perf_counter() - start,
                report.total,
                report.created,
                report.unchanged,
                time.process_time() - cpu,
            )
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put({"timings": timings, "peak_mb": peak_mb})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=list(SIZES), default="small")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = SIZES[args.size]

    from bench.common import bench_database

    with bench_database("import", SERVER):  # sets DATABASE_URL for the spawned importers too
        measure(args.size, rows, args.repeats)


def measure(size: str, rows: int, repeats: int) -> None:
    from casework.models import OrgKind
    from casework.services.organisations import organisation_create

    ctx = mp.get_context("spawn")
    fresh, fresh_cpu, again, again_cpu, peaks = [], [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(repeats):
            path = Path(tmp) / f"members{run}.xlsx"
            start = time.perf_counter()
            generate(path, rows, salt=run * 7919 + int(time.time()) % 100000)
            log(f"run {run + 1}: generated {rows} rows in {time.perf_counter() - start:.1f}s")
            code = f"BENCH{uuid.uuid4().hex[:10]}"
            organisation_create(name=f"导入基准{code}", kind=OrgKind.BRANCH, code=code)
            queue = ctx.Queue()
            child = ctx.Process(target=_run_import, args=(str(path), code, queue))
            child.start()
            result = queue.get()
            child.join()
            (t1, n1, created, _u1, c1), (t2, n2, _c2, unchanged, c2) = result["timings"]
            if created != rows or unchanged != rows:
                log(f"unexpected counts: created {created}, unchanged {unchanged} of {rows}")
            fresh.append(n1 / t1)
            fresh_cpu.append(n1 / c1)
            again.append(n2 / t2)
            again_cpu.append(n2 / c2)
            peaks.append(result["peak_mb"])
            log(f"run {run + 1}: {n1 / t1:.0f} rows/s fresh, {n2 / t2:.0f} rows/s re-import, "
                f"peak {result['peak_mb']:.0f} MB")  # fmt: skip

    def metric(values: list[float], unit: str) -> dict[str, Any]:
        return {
            "median": round(statistics.median(values), 1),
            "min": round(min(values), 1),
            "max": round(max(values), 1),
            "unit": unit,
        }

    from django.db import connection

    print(
        json.dumps(
            {
                "name": "import",
                "metrics": {
                    "rows_per_s": metric(fresh, "rows/s"),
                    "rows_per_cpu_s": metric(fresh_cpu, "rows/s"),
                    "reimport_rows_per_s": metric(again, "rows/s"),
                    "reimport_rows_per_cpu_s": metric(again_cpu, "rows/s"),
                    "peak_rss": metric(peaks, "MB"),
                },
                "size": {"rows": rows, "size": size},
                "runs": len(fresh),
                "notes": (
                    f"xlsx via manage.py-equivalent import_members on {connection.vendor}; "
                    "fresh = every row created (validation, blind index, Fernet encryption of "
                    "id/phone/address, COPY of 1,000-row chunks with their search keys, one audit "
                    "event per chunk); re-import = every row unchanged (told by the import "
                    "fingerprint, nothing decrypted); peak_rss = ru_maxrss of the importing "
                    "process (Django + the streaming sheet reader); *_per_cpu_s divide by the "
                    "importer's CPU time, a figure less distorted by a shared, loaded machine "
                    "(PostgreSQL's own CPU not included). Goal (#21): >= 5,000 rows/s fresh "
                    "at 100,000 rows (not met on these 2 shared cores), >= 10,000 rows/s "
                    "re-import. Profile of a 20,000-row fresh import (cProfile, 2026-12-04): "
                    "search keys ~27 % (pinyin of each new name), the sheet's XML ~16 %, "
                    "Fernet ~11 %, validation ~11 %, COPY text and writes ~15 %, and each "
                    "1,000-row chunk's commit (~70 ms, a disk flush). Tried: preparing rows in "
                    "a forked worker beside the reader, 45-60 % faster at load ~1.5 but no "
                    "gain on a saturated machine for 10-20 % more CPU: not kept. Next: larger "
                    "chunks per commit, pinyin cached per character where pypinyin's phrase "
                    "rules allow, a leaner XML handler."
                ),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
