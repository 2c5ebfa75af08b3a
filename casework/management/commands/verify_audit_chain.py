"""manage.py verify_audit_chain [--anchors [DIR]]: exit 0 when every stream is intact (and,
with --anchors, every anchored stream head is still there), 1 naming each break."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casework.audit import verify_audit_chain
from casework.audit_anchors import anchor_dir, anchors_verify
from casework.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Recompute the audit hash chains (HMAC, LIANLUO_AUDIT_KEYS) and report the first broken "
        "event of each stream; with --anchors, also compare the signed stream heads written "
        "outside the database (LIANLUO_AUDIT_ANCHOR_DIR, or DIR)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchors",
            nargs="?",
            const="",
            default=None,
            metavar="DIR",
            help="compare with the anchor files (default directory: LIANLUO_AUDIT_ANCHOR_DIR)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failed = False
        breaks = verify_audit_chain()
        for item in breaks:
            self.stderr.write(f"audit chain broken: {item}")
            failed = True
        if not breaks:
            count = AuditEvent.objects.count()
            self.stdout.write(f"audit chain intact: {count} events verified")
        if options["anchors"] is not None:
            directory = Path(options["anchors"]) if options["anchors"] else anchor_dir()
            report, problems = anchors_verify(directory)
            for problem in problems:
                self.stderr.write(f"audit anchor check failed: {problem}")
                failed = True
            if not problems:
                self.stdout.write(
                    f"audit anchors match: {report.files} files, {report.checked} stream heads"
                )
        if failed:
            sys.exit(1)
