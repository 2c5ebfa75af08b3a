"""manage.py rotate_keys: re-encrypt personal data under the first key of LIANLUO_PII_KEYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casework.keys import rotate_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column under the first LIANLUO_PII_KEYS key "
        "(chunked, idempotent). Keep the old keys configured until this has finished."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        result = rotate_keys(chunk_size=options["chunk_size"])
        for key, count in sorted(result.rewritten.items()):
            self.stdout.write(f"{key}: {count} re-encrypted")
        self.stdout.write(
            f"rotate_keys: {result.total} values re-encrypted, {result.scanned} rows scanned"
        )
