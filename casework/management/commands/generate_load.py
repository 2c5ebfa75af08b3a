"""manage.py generate_load --members N --cases M [--seed S] [--branches B] [--append]."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casework.devdata.load import LoadRefused, generate_load


class Command(BaseCommand):
    help = (
        "Write realistic load data through bulk paths (COPY on PostgreSQL): an organisation "
        "tree, officers, members with encrypted personal data, contact attempts, cases in "
        "every stage and their inquiries. Refuses a database that has members unless --append."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, required=True)
        parser.add_argument("--cases", type=int, default=0)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--branches", type=int, default=None, help="default: one per 200 members"
        )
        parser.add_argument("--append", action="store_true", help="add to existing members")
        parser.add_argument(
            "--workers", type=int, default=None, help="encryption processes (default: cores)"
        )
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = generate_load(
                members=options["members"],
                cases=options["cases"],
                seed=options["seed"],
                branches=options["branches"],
                today=options["today"],
                append=options["append"],
                workers=options["workers"],
                progress=self.stdout.write if options["verbosity"] >= 1 else None,
            )
        except (LoadRefused, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        rate = options["members"] / report.total_seconds if report.total_seconds else 0.0
        self.stdout.write(
            f"Done in {report.total_seconds:.1f}s ({rate:,.0f} members/s): "
            + ", ".join(f"{name} {count}" for name, count in report.rows.items())
        )
