"""bench/run.py: discovers scripts, records their JSON, regenerates RESULTS.md."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from bench import common, run

GOOD = """
import argparse, json
parser = argparse.ArgumentParser()
parser.add_argument("--size", choices=["tiny", "small", "large"], default="small")
args = parser.parse_args()
print("progress goes to stdout by mistake")
print(json.dumps({"name": "fake", "metrics": {"rows_per_s": {"median": 1234.5, "min": 1000.0,
    "max": 1500.25, "unit": "rows/s"}}, "size": {"rows": 10, "label": args.size}, "runs": 3,
    "notes": "a fake benchmark"}))
"""
CRASH = "raise SystemExit('boom: the script broke')\n"
NO_TINY = GOOD.replace('["tiny", "small", "large"]', '["small", "large"]').replace(
    '"fake"', '"no_tiny"'
)
SLOW = "import time\ntime.sleep(30)\n"


def write(directory: Path, name: str, body: str) -> None:
    (directory / name).write_text(textwrap.dedent(body))


def bench_run(tmp_path: Path, *extra: str) -> int:
    return run.main(
        [
            "--bench-dir",
            str(tmp_path),
            "--size",
            "tiny",
            "--database-url",
            "sqlite:///unused",
            "--timeout",
            "20",
            *extra,
        ]
    )


def test_it_runs_a_fake_script_and_regenerates_results_md(tmp_path):
    write(tmp_path, "bench_fake.py", GOOD)
    assert bench_run(tmp_path) == 0
    record = json.loads((tmp_path / "results.jsonl").read_text().splitlines()[-1])
    assert record["status"] == "ok" and record["result"]["size"]["label"] == "tiny"
    assert record["machine"]["cores"] >= 1 and record["commit"]
    results = (tmp_path / "RESULTS.md").read_text()
    assert "## fake" in results and "### size `tiny`" in results
    assert "| rows_per_s | 1,234.5 | 1,000 | 1,500.25 | rows/s |" in results
    assert "cores" in results and "do not edit by hand" in results
    (tmp_path / "RESULTS.md").unlink()
    assert run.main(["--bench-dir", str(tmp_path), "--render-only"]) == 0
    assert (tmp_path / "RESULTS.md").read_text() == results


def test_a_crashing_script_fails_the_run_and_shows_in_results(tmp_path):
    write(tmp_path, "bench_fake.py", GOOD)
    write(tmp_path, "bench_crash.py", CRASH)
    assert bench_run(tmp_path) == 1
    results = (tmp_path / "RESULTS.md").read_text()
    assert "## crash" in results and "**FAILED**: boom: the script broke" in results
    assert "## fake" in results


def test_only_runs_the_named_scripts_and_appends(tmp_path):
    write(tmp_path, "bench_fake.py", GOOD)
    write(tmp_path, "bench_crash.py", CRASH)
    assert bench_run(tmp_path, "--only", "fake") == 0
    assert bench_run(tmp_path, "--only", "bench_fake") == 0
    records = (tmp_path / "results.jsonl").read_text().splitlines()
    assert len(records) == 2 and all('"bench_fake.py"' in line for line in records)


def test_a_script_without_a_tiny_size_runs_small_instead(tmp_path):
    write(tmp_path, "bench_no_tiny.py", NO_TINY)
    assert bench_run(tmp_path) == 0
    assert "### size `small`" in (tmp_path / "RESULTS.md").read_text()


def test_xlarge_runs_the_scripts_that_have_it_and_skips_the_others(tmp_path):
    write(tmp_path, "bench_fake.py", GOOD)
    write(tmp_path, "bench_big.py", GOOD.replace('"large"]', '"large", "xlarge"]'))
    assert bench_run(tmp_path, "--size", "xlarge") == 0
    records = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert [(r["script"], r["status"], r["size_label"]) for r in records] == [
        ("bench_big.py", "ok", "xlarge")
    ]
    results = (tmp_path / "RESULTS.md").read_text()
    assert "### size `xlarge`" in results and "## fake" not in results


def test_a_script_that_runs_too_long_is_stopped(tmp_path):
    write(tmp_path, "bench_slow.py", SLOW)
    assert bench_run(tmp_path, "--timeout", "1") == 1
    assert "**TIMEOUT**" in (tmp_path / "RESULTS.md").read_text()


def test_output_without_valid_metrics_is_a_failure():
    with pytest.raises(ValueError, match="median"):
        run.parse_output('{"name": "x", "metrics": {"m": {"median": 1}}, "size": {}, "runs": 1}')
    with pytest.raises(ValueError, match="no JSON"):
        run.parse_output("nothing here")


def test_metrics_are_median_min_and_max_of_the_samples():
    assert common.metric([3.0, 1.0, 2.0, 10.0], "s") == {
        "median": 2.5,
        "min": 1.0,
        "max": 10.0,
        "unit": "s",
    }
    assert common.rate_metric(100, [1.0, 2.0, 4.0], "rows/s")["median"] == 50.0
    assert common.rate_metric(100, [1.0, 2.0, 4.0], "rows/s")["min"] == 25.0


def test_emit_prints_one_json_object(capsys):
    common.emit(name="t", metrics={"x": common.metric([1.0], "s")}, size={"n": 1}, runs=1, notes="")
    assert json.loads(capsys.readouterr().out)["metrics"]["x"]["median"] == 1.0
    with pytest.raises(ValueError, match="lacks"):
        common.emit(name="t", metrics={"x": {"median": 1}}, size={}, runs=1)
