"""`manage.py render_samples OUTDIR`: the documents real cases issue, one PDF per kind.

Demo cases are driven through the case flow (every outcome the flow reaches, each step by a
user picked by its role through the step's form, the clock moved as a case waits) on the
demo organisation tree (`seed_demo`), and the branch's prevention work through its services
(a ledger handover, letters to outgoing members); the documents issued are rendered into
OUTDIR as `<kind>.pdf` (the letter to an outgoing member as `member_letter_outgoing.pdf`).
Everything runs in one transaction that is rolled back: the database is left as it was.
Kinds whose step the flow does not have yet are issued from the furthest state a real case
reaches (listed as such in the output).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any
from unittest import mock

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from casework.devdata.demo import seed_demo
from casework.models import Organisation
from documents.render import render_pdf
from documents.services import issuer_of
from workflows.case.drive import Clock
from workflows.case.outcomes import ROUTE_PENDING, documents_by_sample, drive_all
from workflows.case.samples import prepare_stage

START = dt.date(2026, 1, 5)
BRANCH_CODE = "FZYZ-1"  # 福州第一中学第一党支部 (under a general branch, under a committee)


class Command(BaseCommand):
    help = "Drive demo cases through the flow and render the documents they issued into OUTDIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("outdir")
        parser.add_argument("--draft", action="store_true", help="render draft previews")
        parser.add_argument(
            "--contexts", action="store_true", help="also write each document's context as JSON"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        outdir = Path(options["outdir"])
        outdir.mkdir(parents=True, exist_ok=True)
        clock = Clock(START)
        with (
            transaction.atomic(),
            mock.patch("documents.services._enqueue_render", lambda document_id: None),
            clock.running(),
        ):
            seed_demo(members=20, today=clock.today)
            branch = Organisation.objects.get(code=BRANCH_CODE)
            drive_all(prepare_stage(branch=branch, clock=clock))
            for name, document in sorted(documents_by_sample().items()):
                started = time.perf_counter()
                pdf = render_pdf(
                    kind=document.kind,
                    issuer=issuer_of(document.issuer),
                    context=document.context,
                    number="" if options["draft"] else document.number or "",
                    verify_code="" if options["draft"] else document.verify_code,
                    draft=options["draft"],
                )
                path = outdir / f"{name}.pdf"
                path.write_bytes(pdf)
                if options["contexts"]:
                    (outdir / f"{name}.json").write_text(
                        json.dumps(document.context, ensure_ascii=False, indent=1)
                    )
                ms = (time.perf_counter() - started) * 1000
                note = (
                    "  (route pending: from the furthest real state)"
                    if document.kind in ROUTE_PENDING and name == document.kind
                    else ""
                )
                self.stdout.write(f"{path} {len(pdf) // 1024} KB {ms:.0f} ms{note}")
            transaction.set_rollback(True)
