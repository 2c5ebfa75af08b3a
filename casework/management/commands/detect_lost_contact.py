"""Run the lost-contact sweep now: `manage.py detect_lost_contact [--as-of] [--org] [--dry-run]`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from casework.models import Organisation
from casework.services.detection import detect_lost_contact


class Command(BaseCommand):
    help = "Open cases for lost-contact members and remind officers of members at risk."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="the day to detect for, YYYY-MM-DD (default today)")
        parser.add_argument("--org", help="organisation code: sweep only its subtree")
        parser.add_argument("--dry-run", action="store_true", help="count only, write nothing")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = timezone.localdate()
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError("--as-of must be a date like 2026-01-31") from exc
        org = None
        if options["org"]:
            org = Organisation.objects.filter(code=options["org"]).first()
            if org is None:
                raise CommandError(f"no organisation with code {options['org']!r}")
        result = detect_lost_contact(as_of=as_of, org=org, dry_run=options["dry_run"])
        figures = {**result.as_dict(), "as_of": as_of.isoformat(), "dry_run": options["dry_run"]}
        if options["json"]:
            self.stdout.write(json.dumps(figures))
        else:
            self.stdout.write(
                f"{'[dry run] ' if options['dry_run'] else ''}as of {as_of}: "
                f"opened {result.opened}, already open {result.already_open}, "
                f"at risk {result.at_risk}, reminded {result.reminded}"
            )
