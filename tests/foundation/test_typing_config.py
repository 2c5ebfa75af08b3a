"""mypy stays a tool: strict for casework and documents, unused ignores reported everywhere,
and every remaining `# type: ignore` names the error it silences."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("casework", "documents", "integrations", "workflows", "web", "settings")
# mypy 1.19 `--strict`, less its global-only flags (mypy reads `strict` in an override as the
# global flag, so the per-module flags are spelled out in pyproject.toml).
STRICT_PER_MODULE = {
    "disallow_any_generics": True,
    "disallow_subclassing_any": True,
    "disallow_untyped_calls": True,
    "disallow_untyped_defs": True,
    "disallow_incomplete_defs": True,
    "check_untyped_defs": True,
    "disallow_untyped_decorators": True,
    "warn_unused_ignores": True,
    "warn_return_any": True,
    "implicit_reexport": False,
    "strict_equality": True,
    "extra_checks": True,
}
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[a-z-]+(,\s*[a-z-]+)*\])?")


def _mypy() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["tool"]["mypy"]


def test_casework_and_documents_are_strict() -> None:
    strict = [o for o in _mypy()["overrides"] if "casework.*" in o["module"]]
    assert len(strict) == 1
    assert set(strict[0]["module"]) == {"casework.*", "documents.*"}
    assert {k: strict[0].get(k) for k in STRICT_PER_MODULE} == STRICT_PER_MODULE
    assert "strict" not in _mypy()  # it would make every package strict


def test_unused_ignores_are_errors_everywhere() -> None:
    config = _mypy()
    assert config["warn_unused_ignores"] is True
    assert all(o.get("warn_unused_ignores", True) for o in config["overrides"])


def test_every_type_ignore_in_app_code_names_its_error_code() -> None:
    bare = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                match = IGNORE.search(line)
                if match and not match.group("codes"):
                    bare.append(f"{path.relative_to(ROOT)}:{number}")
    assert bare == []
