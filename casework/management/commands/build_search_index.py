"""manage.py build_search_index: (re)build the member search index from the register."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from casework.services.search_index import BACKFILL_CHUNK, search_index_backfill


class Command(BaseCommand):
    help = (
        "Rebuild the blind-index search keys (name, pinyin, initials, ID tail, phone) of every "
        "member, one transaction per chunk; safe to rerun or resume. Run it after deploying "
        "the index and after changing LIANLUO_BLIND_INDEX_KEY."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=BACKFILL_CHUNK)

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(done: int, total: int) -> None:
            self.stderr.write(f"  {done} / {total}")

        indexed = search_index_backfill(chunk_size=options["chunk_size"], progress=progress)
        self.stdout.write(f"build_search_index: {indexed} members indexed")
