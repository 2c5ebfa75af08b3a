"""Benchmark: formal document rendering (WeasyPrint) beside Typst as the fast reference.

Metrics (medians over --runs):
  letter_warm_ms     two-page inquiry letter, warm, one process (goal <= 100 ms)
  letters_per_s_2p   letters per second with 2 worker processes (goal >= 10/s)
  dossier_50p_s      50-page case dossier (goal <= 4 s)
  peak_rss_mb        peak RSS of the benchmark's own process (letters, Typst and dossiers,
                     all kept alive in one process: not a worker's figure)
  peak_rss_letter_worker_mb  peak RSS of each letter worker process (goal <= 300 MB)
  peak_rss_render_process_mb peak RSS of a fresh process rendering a letter and then the
                     dossier, as a render worker does (goal <= 300 MB)
  *_cpu_*            CPU time of the same calls: on a shared, overloaded machine this is
                     closer to what an idle core would take than the wall-clock figure
  typst_letter_ms    the same letter (the same words, from the WeasyPrint template's HTML)
                     typeset by Typst, warm, same run (reference)

Usage: .venv/bin/python bench/bench_documents.py [--size small|large] [--runs N]
Prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.test")

SIZES = {
    "small": {"letters_per_worker": 10, "runs": 3},
    "large": {"letters_per_worker": 40, "runs": 5},
}
DOSSIER_EVENTS = 1200  # about 50 pages of timeline (one line per step)


def _setup() -> None:
    import django

    django.setup()


def _demo_letter() -> tuple[Any, Any, list[Any]]:
    """An organisation department, a government department and three inquiries, built in
    memory (no database): the letter's facts come from the real facts builder."""
    import datetime as dt

    from casework.models import Case, Department, Inquiry, Member, Organisation

    department_org = Organisation(
        name="中共福州市委组织部",
        kind="department",
        doc_code="榕委组",
        issuer_name="中共福州市委组织部",
    )
    branch = Organisation(name="福州第一中学第一党支部", kind="branch")
    department = Department(
        organisation=department_org,
        kind="public_security",
        name="福州市公安局人口管理支队",
        answer_days=10,
    )
    people = [
        ("王䶮", "M", dt.date(1988, 3, 15), "350102198803150017", "福州某科技有限公司"),
        ("吉𠮷", "F", dt.date(1992, 7, 21), "350103199207210028", "自主经营"),
        ("陈思远", "M", dt.date(1995, 1, 11), "350104199501110035", "福建软件园某公司"),
    ]
    inquiries = [
        Inquiry(
            case=Case(
                member=Member(
                    organisation=branch,
                    name=name,
                    gender=gender,
                    birth_date=birth,
                    id_number=number,
                    employer=employer,
                    last_contact_date=dt.date(2025, 10, 8),
                ),
                organisation=branch,
                rule_set="2024",
            ),
            department=department,
            due_date=dt.date(2026, 12, 10),
        )
        for name, gender, birth, number, employer in people
    ]
    return department_org, department, inquiries


def _print_facts(issuer_name: str) -> dict[str, Any]:
    return {
        "printing_office": issuer_name,
        "seal_image": "",
        "contact": "联系人：林晓东，联系电话：0591-87654321",
        "signer": "",
        "date": "2026-11-26",
    }


def letter_context() -> dict[str, Any]:
    from documents.facts.records import split_title
    from documents.facts.search import inquiry_letter
    from documents.organs import Organs
    from documents.render import document_language

    issuer, department, inquiries = _demo_letter()
    with document_language():
        facts = inquiry_letter(
            department=department, inquiries=inquiries, items=(), header=issuer.issuer_name
        )
    ctx: dict[str, Any] = {
        **Organs(issuer=issuer, addressee=None).facts("inquiry_letter", copy_to=[]),
        **_print_facts(issuer.issuer_name),
        **facts,
        "addressee": department.name,
        "you": "贵单位",
    }
    ctx["title_lines"] = split_title(ctx["title"])
    # The attachment is noted but its table page left out: the letter itself, two pages.
    ctx["attachments"] = [{"name": "失联党员名单"}]
    return ctx


def _issuer(name: str) -> Any:
    from documents.render import Issuer

    return Issuer(mark=name, name=name)


def render_letter() -> bytes:
    from documents.render import render_pdf

    return render_pdf(
        kind="inquiry_letter",
        issuer=_issuer("中共福州市委组织部"),
        context=letter_context(),
        number="榕委组函〔2026〕12号",
        verify_code="BENCH2345ABC",
    )


def dossier_context(events: int) -> dict[str, Any]:
    """A case dossier with `events` timeline entries, built in memory by the real builder."""
    import datetime as dt

    from django.utils import timezone

    from casework.models import Case, Member, Organisation, TimelineEntry
    from casework.selectors.case_page import ACTION_LABELS
    from documents.facts.decisions import dossier
    from documents.facts.records import CaseRecords, split_title
    from documents.organs import Organs
    from documents.render import document_language

    branch = Organisation(name="福州第一中学第一党支部", kind="branch")
    case = Case(
        member=Member(
            organisation=branch,
            name="王䶮",
            gender="M",
            birth_date=dt.date(1988, 3, 15),
            id_number="350102198803150017",
            last_contact_date=dt.date(2025, 10, 8),
        ),
        organisation=branch,
        rule_set="2024",
        circumstance="1",
        outcome="suspend",
        opened_at=timezone.make_aware(dt.datetime(2026, 1, 5, 9)),
        closed_at=timezone.make_aware(dt.datetime(2026, 11, 26, 9)),
    )
    actions = list(ACTION_LABELS)
    start = timezone.make_aware(dt.datetime(2026, 1, 5, 9))
    r = CaseRecords(case)
    r.__dict__.update(
        decision=None,
        documents=[],
        inquiries=[],
        timeline=[
            TimelineEntry(
                case=case,
                at=start + dt.timedelta(hours=7 * i),
                action=actions[i % len(actions)],
                comment="电话联系本人（尾号已遮蔽），无人接听；吉𠮷协助提供线索"
                if i % 7 == 3
                else "",
                details={},
            )
            for i in range(events)
        ],
    )
    with document_language():
        facts = dossier(r)
    ctx: dict[str, Any] = {
        **Organs(issuer=branch, addressee=None).facts("dossier", copy_to=[]),
        **_print_facts(branch.name),
        **facts,
    }
    ctx["title_lines"] = split_title(ctx["title"])
    return ctx


def render_dossier() -> bytes:
    from documents.render import render_pdf

    return render_pdf(
        kind="dossier",
        issuer=_issuer("福州第一中学第一党支部"),
        context=dossier_context(DOSSIER_EVENTS),
        number="",
        verify_code="BENCH2345DOS",
    )


def pages(pdf: bytes) -> int:
    from io import BytesIO

    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)


def typst_version() -> str:
    from importlib.metadata import version

    return version("typst")


def same_characters(a: bytes, b: bytes) -> bool:
    """Both PDFs print the same characters (whitespace and the Typst call counter aside)."""
    from io import BytesIO

    from pypdf import PdfReader

    def chars(pdf: bytes) -> list[str]:
        text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
        return sorted(c for c in text if not c.isspace() and not c.isdigit())

    return len(chars(a)) > 100 and chars(a) == chars(b)


TYPST_LETTER = r"""
#set page(paper: "a4", margin: (top: 37mm, bottom: 35mm, left: 28mm, right: 26mm),
  footer: context { let n = counter(page).get().first(); if n > 1 {
    set text(font: ("FandolSong", "Noto Serif CJK SC"), size: 14pt)
    if calc.odd(n) { align(right)[— #n —#h(1em)] } else { align(left)[#h(1em)— #n —] } } })
#set text(font: ("FandolFang", "Noto Serif CJK SC"), size: 16pt, lang: "zh", tracking: -0.073mm)
#set par(justify: true, first-line-indent: (amount: 2em, all: true),
  leading: 10.227mm - 16pt, spacing: 10.227mm - 16pt)
#v(-7mm)
#align(center, text(font: "FandolSong", weight: "bold", fill: rgb("#e60012"), size: 30pt)[MARK])
#line(length: 170mm, start: (-8mm, 0mm), stroke: 2.25pt + rgb("#e60012"))
#align(right)[NUMBER]
#v(10mm)
#align(center, text(font: ("FandolSong", "Noto Serif CJK SC"), weight: "bold", size: 22pt)[TITLE])
#v(10mm)
#par(first-line-indent: 0pt)[ADDRESSEE：]
BODY
#v(10mm)
#par(first-line-indent: 2em)[附件：ATTACHMENT]
#v(20mm)
#grid(columns: (26mm, 1fr), align: (center, right),
  [#set par(first-line-indent: 0pt, justify: false)
    #set text(font: "FandolHei", size: 7.5pt, tracking: 0pt)
    #image(bytes("QR"), format: "svg", width: 20mm)
    扫码核验 \ 核验码 VERIFY],
  [#box(align(center)[SIGN \ DATE])#h(4em)])
#par[（CONTACT）]
"""
_TYPST_SPECIAL = set("\\#*_[]$`<>@~/=-+")


def _typst_text(text: str) -> str:
    return "".join("\\" + c if c in _TYPST_SPECIAL else c for c in text)


def _typst_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def letter_blocks() -> list[tuple[str, str]]:
    """(class, text) of each paragraph of the WeasyPrint letter's body, from its own HTML: the
    Typst letter prints exactly the same words."""
    import lxml.html

    from documents.render import render_html

    html = render_html(
        kind="inquiry_letter",
        issuer=_issuer("中共福州市委组织部"),
        context=letter_context(),
        number="榕委组函〔2026〕12号",
        verify_code="BENCH2345ABC",
        draft=False,
    )
    root = lxml.html.fromstring(html)
    blocks = []
    for p in root.iter("p"):
        cls = p.get("class") or ""
        if cls in ("", "h-1", "h-2"):
            blocks.append((cls, p.text_content()))
    return blocks


def typst_source() -> str:
    import io

    import segno

    from documents.render import verify_url

    ctx = letter_context()
    fonts = {"h-1": "FandolHei", "h-2": "FandolKai"}
    body = [
        f'#text(font: "{fonts[cls]}")[{_typst_text(text)}]' if cls else _typst_text(text)
        for cls, text in letter_blocks()
    ]
    qr = io.BytesIO()
    segno.make(verify_url("BENCH2345ABC"), error="m", mask=0).save(
        qr, kind="svg", scale=4, border=0
    )
    return (
        TYPST_LETTER.replace("MARK", "中共福州市委组织部")
        .replace("NUMBER", _typst_text("榕委组函〔2026〕12号"))
        .replace("TITLE", " \\ ".join(_typst_text(line) for line in ctx["title_lines"]))
        .replace("ADDRESSEE", _typst_text(ctx["addressee"]))
        .replace("BODY", "\n\n".join(body))
        .replace("ATTACHMENT", _typst_text(ctx["attachments"][0]["name"]))
        .replace("QR", _typst_string(qr.getvalue().decode()))
        .replace("VERIFY", "BENCH2345ABC")
        .replace("SIGN", _typst_text(ctx.get("signature") or "中共福州市委组织部"))
        .replace("DATE", "2026年11月26日")
        .replace("CONTACT", _typst_text(ctx["contact"]))
    )


_typst: dict[str, Any] = {}


def typst_compile() -> bytes:
    """The same letter by Typst; one Compiler per process so its fonts load once (fair).

    The source is built each time from the letter's facts and the WeasyPrint template's own
    paragraphs (the same words), and its contact line carries a call counter: Typst memoizes
    whole compilations, and a worker never typesets the same letter twice."""
    import typst
    from django.conf import settings

    if "compiler" not in _typst:
        _typst["compiler"] = typst.Compiler(
            font_paths=[str(settings.LIANLUO_FONT_DIR), "/usr/share/fonts/opentype/noto"],
            ignore_system_fonts=True,
        )
    _typst["calls"] = _typst.get("calls", 0) + 1
    source = typst_source().replace("0591-87654321", f"0591-8765{_typst['calls']:04d}")
    pdf: bytes = _typst["compiler"].compile(input=source.encode())
    return pdf


def _timed(fn: Any, n: int, cpu: list[float] | None = None) -> list[float]:
    """Wall-clock seconds per call; CPU seconds appended to `cpu` (the machine is shared)."""
    out = []
    for _ in range(n):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        out.append(time.perf_counter() - started)
        if cpu is not None:
            cpu.append(time.process_time() - started_cpu)
    return out


def own_peak_rss_mb() -> float:
    """VmHWM of this process: unlike ru_maxrss it is not inherited from the parent."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker(barrier: Any, n: int, queue: Any) -> None:
    _setup()
    render_letter()  # warm: fonts, templates
    barrier.wait(timeout=600)
    for _ in range(n):
        render_letter()
    queue.put(own_peak_rss_mb())


def _render_process(queue: Any) -> None:
    _setup()
    render_letter()
    render_dossier()
    queue.put(own_peak_rss_mb())


def render_process_peak_rss_mb() -> float:
    """VmHWM of a fresh process that renders a letter and the dossier (a render worker)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_render_process, args=(queue,))
    proc.start()
    rss: float = queue.get(timeout=1200)
    proc.join()
    return rss


def letters_per_second(n: int, worker_rss: list[float]) -> float:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(3)
    queue = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(barrier, n, queue)) for _ in range(2)]
    for p in procs:
        p.start()
    barrier.wait(timeout=600)
    started = time.perf_counter()
    for _ in procs:
        worker_rss.append(queue.get(timeout=1200))
    elapsed = time.perf_counter() - started
    for p in procs:
        p.join()
    return 2 * n / elapsed


def metric(values: list[float], unit: str) -> dict[str, Any]:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
        "unit": unit,
    }


def main() -> None:
    import weasyprint

    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args()
    size = SIZES[args.size]
    runs = args.runs or size["runs"]
    _setup()
    from documents.sections import SECTION_EVENTS

    letter = render_letter()  # warm-up (font loading, template compilation)
    letter_cpu: list[float] = []
    letter_ms = [t * 1000 for t in _timed(render_letter, runs * 3, letter_cpu)]
    typst_compile()
    typst_cpu: list[float] = []
    typst_ms = [t * 1000 for t in _timed(typst_compile, runs * 3, typst_cpu)]
    dossier = render_dossier()
    dossier_cpu: list[float] = []
    dossier_s = _timed(render_dossier, runs, dossier_cpu)
    rss = own_peak_rss_mb()
    render_rss = [render_process_peak_rss_mb() for _ in range(runs)]
    worker_rss: list[float] = []
    per_s = [letters_per_second(size["letters_per_worker"], worker_rss) for _ in range(runs)]

    print(
        json.dumps(
            {
                "name": "documents",
                "metrics": {
                    "letter_warm_ms": metric(letter_ms, "ms"),
                    "letter_warm_cpu_ms": metric([t * 1000 for t in letter_cpu], "ms"),
                    "letters_per_s_2p": metric(per_s, "letters/s"),
                    "dossier_50p_s": metric(dossier_s, "s"),
                    "dossier_50p_cpu_s": metric(dossier_cpu, "s"),
                    "peak_rss_mb": metric([rss], "MB"),
                    "peak_rss_letter_worker_mb": metric(worker_rss, "MB"),
                    "peak_rss_render_process_mb": metric(render_rss, "MB"),
                    "typst_letter_ms": metric(typst_ms, "ms"),
                    "typst_letter_cpu_ms": metric([t * 1000 for t in typst_cpu], "ms"),
                },
                "size": {
                    "letter_pages": pages(letter),
                    "letter_bytes": len(letter),
                    "typst_letter_pages": pages(typst_compile()),
                    "typst_same_characters": same_characters(letter, typst_compile()),
                    "dossier_pages": pages(dossier),
                    "dossier_events": DOSSIER_EVENTS,
                    "letters_per_worker": size["letters_per_worker"],
                },
                "runs": runs,
                "notes": (
                    f"WeasyPrint {weasyprint.__version__}, PDF/A-2b, Fandol + Noto CJK fallback, "
                    "one FontConfiguration and compiled stylesheet per process, each PDF stream "
                    "compressed once (zlib 6), the dossier laid out in sections of "
                    f"{SECTION_EVENTS} events joined with pypdf; Typst {typst_version()} on the "
                    "same letter; 2 cores shared with other work "
                    f"(load average {os.getloadavg()[0]:.1f}). Goals (#21): a 2-page letter "
                    "<= 60 ms warm, every render process <= 300 MB. On 2026-12-04 the warm "
                    "letter measured 52-62 ms from run to run on this machine, so the 60 ms "
                    "goal is at the edge; the render processes stay under 300 MB. Next: the "
                    "fixed-layout letters through Typst (the same letter in ~5 ms here), "
                    "WeasyPrint kept for the dossier."
                ),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
