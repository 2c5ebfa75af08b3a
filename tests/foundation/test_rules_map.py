"""docs/rules-to-tests.md names the tests that prove each rule of DOMAIN.md: every test it
names exists (its file, and a test function of that name in it), and each of the ten
measures has its row."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAP = ROOT / "docs" / "rules-to-tests.md"
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def _references() -> list[tuple[str, str]]:
    return REFERENCE.findall(MAP.read_text(encoding="utf-8"))


def test_every_test_the_map_names_exists() -> None:
    refs = _references()
    assert len(refs) > 50, "the map names the tests of every rule"
    missing = []
    for path, name in refs:
        source = ROOT / path
        if not source.is_file():
            missing.append(f"{path} (no such file)")
            continue
        if not re.search(rf"^\s*(async\s+)?def {name}\(", source.read_text("utf-8"), re.M):
            missing.append(f"{path}::{name}")
    assert not missing, "named in docs/rules-to-tests.md but not found:\n" + "\n".join(missing)


def test_each_of_the_ten_measures_has_its_row() -> None:
    text = MAP.read_text(encoding="utf-8")
    assert all(f"| Measure {n} " in text for n in range(1, 11))


def test_a_misspelt_reference_would_be_caught() -> None:
    """The check itself can fail: a name that is not a test is not found."""
    assert REFERENCE.findall("`tests/foundation/test_rules_map.py::test_nothing_here`")
    source = (ROOT / "tests/foundation/test_rules_map.py").read_text("utf-8")
    assert not re.search(r"^\s*def test_nothing_here\(", source, re.M)
