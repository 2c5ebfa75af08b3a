"""manage.py seed_demo [--seed N] [--members N]: deterministic demo data; safe to run twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casework.devdata.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create deterministic demo organisations, users and members (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--members", type=int, default=300)

    def handle(self, *args: Any, **options: Any) -> None:
        result = seed_demo(seed=options["seed"], members=options["members"])
        self.stdout.write(
            f"Demo data: {result.organisations} organisations, {result.members} members "
            f"({result.created_members} new)."
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, description in result.users:
            self.stdout.write(f"  {username:<16} {description}")
