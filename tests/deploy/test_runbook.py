"""The runbook describes commands as they are: every option it gives a management command
exists in that command's parser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

RUNBOOK = Path(__file__).resolve().parents[2] / "deploy" / "RUNBOOK.md"
USE = re.compile(r"manage\.py ([a-z_]+)((?: \[?--?[a-z-]+[^`\n]*?)*)`")


def _uses() -> list[tuple[str, list[str]]]:
    found = []
    for command, rest in USE.findall(RUNBOOK.read_text(encoding="utf-8")):
        found.append((command, re.findall(r"--[a-z][a-z-]*", rest)))
    return found


def test_the_runbook_names_rotate_keys_with_its_real_options() -> None:
    assert ("rotate_keys", ["--chunk-size"]) in _uses()


@pytest.mark.parametrize(("command", "options"), _uses())
def test_every_option_the_runbook_gives_exists(command: str, options: list[str]) -> None:
    app = get_commands()[command]
    parser = load_command_class(app, command).create_parser("manage.py", command)
    known = {flag for action in parser._actions for flag in action.option_strings}
    assert set(options) <= known, f"{command}: {set(options) - known} not in its parser"
