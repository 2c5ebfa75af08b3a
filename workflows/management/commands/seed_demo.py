"""manage.py seed_demo [--seed N] [--members N] [--no-story]: the demo register, then the demo
story driven through the real flow; prints the logins and the tour. Safe to run twice.

The register (organisations, users, members) is casework's (casework/devdata/demo.py); the
story needs the flow, so the command lives here, a floor above.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casework.devdata.demo import DEMO_PASSWORD, seed_demo
from workflows.devdata.story import tell_story
from workflows.devdata.tour import tour


class Command(BaseCommand):
    help = "Create the demo register and drive the demo cases through the flow (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--members", type=int, default=300)
        parser.add_argument("--no-story", action="store_true", help="the register only, no cases")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        result = seed_demo(seed=options["seed"], members=options["members"])
        self.stdout.write(
            f"Demo data: {result.organisations} organisations, {result.members} members "
            f"({result.created_members} new)."
        )
        if not options["no_story"]:
            story = tell_story(seed=options["seed"])
            self.stdout.write(
                f"Demo story: {len(story.cases)} story cases, {story.opened} cases opened by "
                f"the lost-contact sweep, {story.steps} steps completed "
                f"({time.monotonic() - started:.0f} s)."
            )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, description in result.users:
            self.stdout.write(f"  {username:<16} {description}")
        if not options["no_story"]:
            self.stdout.write("The tour — log in as:")
            for stop in tour(story.members):
                self.stdout.write(stop.line())
