"""`manage.py render_samples OUTDIR`: one PDF per document kind, named by kind."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from documents.kinds import DocumentKind, format_number
from documents.render import render_pdf
from documents.samples import SAMPLE_ISSUER, sample_context


class Command(BaseCommand):
    help = "Render every document kind with demo data into OUTDIR (one PDF per kind)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("outdir")
        parser.add_argument("--draft", action="store_true", help="render draft previews")

    def handle(self, *args: Any, **options: Any) -> None:
        outdir = Path(options["outdir"])
        outdir.mkdir(parents=True, exist_ok=True)
        for serial, kind in enumerate(DocumentKind, 1):
            started = time.perf_counter()
            pdf = render_pdf(
                kind=kind.value,
                issuer=SAMPLE_ISSUER,
                context=sample_context(kind.value),
                number=""
                if options["draft"]
                else format_number(doc_code="榕教工委", kind=kind.value, year=2026, serial=serial),
                verify_code="" if options["draft"] else f"SAMPLE{serial:04d}",
                draft=options["draft"],
            )
            path = outdir / f"{kind.value}.pdf"
            path.write_bytes(pdf)
            ms = (time.perf_counter() - started) * 1000
            self.stdout.write(f"{path} {len(pdf) // 1024} KB {ms:.0f} ms")
