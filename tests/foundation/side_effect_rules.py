"""Project lint rules for side effects and scoped reads (run by `make lint` and by
test_side_effect_rules.py).

- dispatch-outside-outbox: `.delay(…)`, `.apply_async(…)` and `.send_task(…)` only in the
  outbox relay (integrations/outbox.py). Everything else writes an outbox message
  (casework.outbox.outbox_enqueue) in its transaction.
- mail-outside-integrations: `django.core.mail` and `smtplib` are imported only by the email
  client (integrations/email/), and `send_mail`-style helpers are called nowhere else.
- unscoped-get-in-views: views (web/, integrations/views/, any views.py) never fetch one object
  with `Model.objects….get(…)` or `get_object_or_404(Model, …)`: they go through a scoped
  selector (`…_get_for_user`) or `get_object_or_404` on a user-scoped queryset, so an object
  out of the user's scope is a 404 and never a leak.

    python -m tests.foundation.side_effect_rules   # prints violations, exits 1 if any
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("casework", "documents", "integrations", "workflows", "web", "settings")
DISPATCH_METHODS = {"delay", "apply_async", "send_task"}
DISPATCH_ALLOWED = {"integrations/outbox.py"}
MAIL_MODULES = ("django.core.mail", "smtplib")
MAIL_CALLS = {"send_mail", "send_mass_mail", "mail_admins", "mail_managers"}
MAIL_ALLOWED_PREFIX = "integrations/email/"
VIEW_PREFIXES = ("web/", "integrations/views/")
MANAGERS = {"objects", "_default_manager"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}: {self.message}"


def _is_mail_module(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in MAIL_MODULES)


def _is_view_module(path: str) -> bool:
    return path.startswith(VIEW_PREFIXES) or path.endswith("/views.py") or "/views/" in path


def _on_manager(node: ast.expr) -> bool:
    """True if `node` is a chain rooted at a model manager: `Model.objects.filter(…)…`."""
    while True:
        if isinstance(node, ast.Attribute):
            if node.attr in MANAGERS:
                return True
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return False


def _unscoped_get(node: ast.Call) -> str | None:
    """What makes the call an unscoped single-object fetch, or None."""
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "get" and _on_manager(func.value):
        return "Model.objects….get() fetches outside the user's scope"
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name in SHORTCUTS and node.args:
        first = node.args[0]
        if (isinstance(first, ast.Name) and first.id[:1].isupper()) or _on_manager(first):
            return f"{name}() on a model or its manager fetches outside the user's scope"
    return None


def check_source(source: str, path: str) -> list[Violation]:
    """The violations in one file's source; `path` is relative to the project root."""
    tree = ast.parse(source, filename=path)
    found: list[Violation] = []
    mail_ok = path.startswith(MAIL_ALLOWED_PREFIX)
    view = _is_view_module(path)
    for node in ast.walk(tree):
        if view and isinstance(node, ast.Call) and (problem := _unscoped_get(node)):
            found.append(
                Violation(
                    path,
                    node.lineno,
                    "unscoped-get-in-views",
                    f"{problem}; use a scoped selector (…_get_for_user) or "
                    "get_object_or_404 on a user-scoped queryset",
                )
            )
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if method in DISPATCH_METHODS and path not in DISPATCH_ALLOWED:
                found.append(
                    Violation(
                        path,
                        node.lineno,
                        "dispatch-outside-outbox",
                        f".{method}() dispatches directly; write an outbox message "
                        "(casework.outbox.outbox_enqueue) in the cause's transaction",
                    )
                )
        if isinstance(node, ast.Call) and not mail_ok:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in MAIL_CALLS:
                found.append(
                    Violation(
                        path,
                        node.lineno,
                        "mail-outside-integrations",
                        f"{name}() sends mail; use integrations.email.client through the outbox",
                    )
                )
        if mail_ok:
            continue
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for module in modules:
            if _is_mail_module(module):
                found.append(
                    Violation(
                        path,
                        getattr(node, "lineno", 0),
                        "mail-outside-integrations",
                        f"imports {module}; only integrations/email/client.py sends mail",
                    )
                )
                break
    return found


def _files() -> Iterator[Path]:
    for package in PACKAGES:
        for file in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in file.parts:
                yield file


def check_project() -> list[Violation]:
    violations: list[Violation] = []
    for file in _files():
        relative = file.relative_to(ROOT).as_posix()
        violations.extend(check_source(file.read_text(encoding="utf-8"), relative))
    return violations


def main() -> int:
    violations = check_project()
    for violation in violations:
        print(violation)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
