"""No Python file over 600 lines (migrations excepted): a file that grows past it is split by
what it holds, not trimmed to fit."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 600
SKIP_DIRS = {".venv", "var", "node_modules", "migrations", "__pycache__"}


def python_files(root: Path = ROOT) -> list[Path]:
    found: list[Path] = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in SKIP_DIRS and not d.startswith("."))
        found.extend(Path(directory, name) for name in sorted(files) if name.endswith(".py"))
    return found


def oversized(root: Path = ROOT, limit: int = LIMIT) -> list[str]:
    too_long: list[str] = []
    for path in python_files(root):
        with path.open(encoding="utf-8") as handle:
            lines = sum(1 for _ in handle)
        if lines > limit:
            too_long.append(f"{path.relative_to(root).as_posix()}: {lines} lines")
    return too_long


def test_no_python_file_is_over_600_lines() -> None:
    assert len(python_files()) > 100  # the walk does reach the project's packages
    assert oversized() == []


def test_the_check_finds_a_long_file_and_skips_migrations(tmp_path: Path) -> None:
    (tmp_path / "app" / "migrations").mkdir(parents=True)
    (tmp_path / "app" / "long.py").write_text("x = 1\n" * (LIMIT + 1))
    (tmp_path / "app" / "fits.py").write_text("x = 1\n" * LIMIT)
    (tmp_path / "app" / "migrations" / "0001_initial.py").write_text("x = 1\n" * 2000)
    assert oversized(tmp_path) == [f"app/long.py: {LIMIT + 1} lines"]
