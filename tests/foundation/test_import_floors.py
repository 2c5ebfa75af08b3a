"""Imports only go down the floors (ARCHITECTURE.md):

    web → workflows → integrations → documents → casework → settings

The test reads every module of the six packages with `ast` (imports at any depth, inside
functions and `TYPE_CHECKING` blocks too, relative imports resolved) and fails on an import
of a higher floor. Nothing is allowed silently: an exception is listed below by module and
target, with the reason and who removes it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLOORS = ("settings", "casework", "documents", "integrations", "workflows", "web")
RANK = {name: rank for rank, name in enumerate(FLOORS)}

# (importing module, imported module) pairs tolerated for now — each with its reason.
KNOWN_EXCEPTIONS = {
    # The request id moves into casework (web's middleware sets it): the outbox helper's
    # change (issue #19, floors) removes this import.
    ("casework.audit", "web.middleware"),
}


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file."""
    module = _module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append((node.lineno, target))
    return found


def upward_imports(root: Path = ROOT) -> list[str]:
    problems = []
    for floor in FLOORS:
        for path in sorted((root / floor).rglob("*.py")):
            source = _module_name(path, root)
            for line, target in _imports(path, root):
                top = target.split(".")[0]
                if top not in RANK or RANK[top] <= RANK[floor]:
                    continue
                if (source, target) in KNOWN_EXCEPTIONS:
                    continue
                problems.append(f"{path.relative_to(root)}:{line} {source} imports {target}")
    return problems


def test_no_module_imports_a_higher_floor() -> None:
    assert upward_imports() == []


def test_the_known_exceptions_still_exist() -> None:
    """An exception that is fixed must leave the list (so the list never hides anything)."""
    present = set()
    for source, target in KNOWN_EXCEPTIONS:
        path = ROOT / (source.replace(".", "/") + ".py")
        if any(found == target for _, found in _imports(path)):
            present.add((source, target))
    assert present == KNOWN_EXCEPTIONS


def test_the_reader_sees_nested_type_checking_and_relative_imports(tmp_path: Path) -> None:
    (tmp_path / "casework" / "sub").mkdir(parents=True)
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "views.py").write_text("from casework.models import Case\n")
    (tmp_path / "casework" / "sub" / "probe.py").write_text(
        "def f():\n    from web import site\n"
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import workflows.models\n"
        "from ..models import Case\n",
        encoding="utf-8",
    )
    probe = tmp_path / "casework" / "sub" / "probe.py"
    targets = {target for _, target in _imports(probe, tmp_path)}
    assert {"web", "workflows.models", "casework.models"} <= targets
    assert upward_imports(tmp_path) == [
        "casework/sub/probe.py:2 casework.sub.probe imports web",
        "casework/sub/probe.py:5 casework.sub.probe imports workflows.models",
    ]
