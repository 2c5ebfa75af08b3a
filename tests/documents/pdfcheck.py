"""Checks on a PDF file with poppler, qpdf and pypdf: what a reviewer would check by hand."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

MM = 72 / 25.4
A4 = (595.28, 841.89)
TOLERANCE = 1 * MM


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def text(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return re.sub(r"\s+", "", out.stdout.decode())


def fonts(path: Path) -> list[tuple[str, str]]:
    """(font name, emb yes/no) per font."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)
    rows = []
    for line in out.stdout.splitlines()[2:]:
        parts = line.split()
        # name type [encoding...] emb sub uni object ID — emb is 5th from the end
        rows.append((parts[0], parts[-5]))
    return rows


def qpdf_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)


def words(path: Path) -> tuple[list[tuple[float, float]], list[Word]]:
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    pages: list[tuple[float, float]] = []
    found: list[Word] = []
    for chunk in re.split(r"<page ", out)[1:]:
        w, h = re.match(r'width="([\d.]+)" height="([\d.]+)"', chunk).groups()  # type: ignore[union-attr]
        pages.append((float(w), float(h)))
        for m in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            chunk,
        ):
            x0, y0, x1, y1 = (float(v) for v in m.groups()[:4])
            found.append(Word(len(pages), m.group(5), x0, y0, x1, y1))
    return pages, found


def outside_type_area(path: Path, *, first_page_top_mm: float = 37) -> list[Word]:
    """Words outside the GB/T 9704 type area (28/26/37/35 mm) by more than 1 mm.

    Page numbers ("— n —", 7 mm below the type area) are the only text allowed outside it.
    """
    _, found = words(path)
    bad = []
    for word in found:
        top = (first_page_top_mm if word.page == 1 else 37) * MM
        is_folio = word.y0 > (297 - 35) * MM and re.fullmatch(r"—|\d+", word.text)
        if is_folio:
            continue
        if (
            word.x0 < 28 * MM - TOLERANCE
            or word.x1 > (210 - 26) * MM + TOLERANCE
            or word.y0 < top - TOLERANCE
            or word.y1 > (297 - 35) * MM + TOLERANCE
        ):
            bad.append(word)
    return bad


# ---- what an official checks on every document -----------------------------------------------

BODY_PT = (14.5, 17.5)  # 三号 (16 pt) body text
TITLE_PT = (20.5, 23.5)  # 二号 (22 pt) title
MARK_PT = 24.0  # the red issuing-organ mark is larger than anything else
DATE_RE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
FOLIO_Y = (297 - 35) * MM

# Holes a missing fact leaves in Chinese text (whitespace removed first).
HOLES = {
    "empty 《》": re.compile(r"《》"),
    "empty （）": re.compile(r"（）"),
    "empty “”": re.compile(r"“”"),
    "date missing": re.compile(r"(?<![0-9生])年月|(?<![0-9])月日|(自|于|至)(起|前|止|以来)"),
    "place missing": re.compile(r"在(召开|举行|进行)"),
    "template leak": re.compile(r"\{\{|\}\}|\{%|None|undefined"),
}


def holes(path: Path) -> list[str]:
    found = text(path)
    return [name for name, pattern in HOLES.items() if pattern.search(found)]


def _height(word: Word) -> float:
    return word.y1 - word.y0


def title(path: Path) -> str:
    """The title as printed: the 22 pt words of the first page, in order."""
    _, found = words(path)
    return "".join(
        w.text for w in found if w.page == 1 and TITLE_PT[0] <= _height(w) <= TITLE_PT[1]
    )


def red_header(path: Path) -> str:
    """The issuing-organ mark (发文机关标志) printed at the head of the first page, if any."""
    _, found = words(path)
    return "".join(w.text for w in found if w.page == 1 and _height(w) > MARK_PT)


@dataclass(frozen=True)
class Signature:
    organ: str
    date: str
    page: int
    body_lines_above: int  # lines of body text on the signature's page above it


def signature(path: Path) -> Signature | None:
    """The signature block: the last date printed alone in body size, and the organ name
    centred above it; None for forms and records (they carry no signature block)."""
    _, found = words(path)
    dates = [
        w
        for w in found
        if DATE_RE.match(w.text) and BODY_PT[0] <= _height(w) <= BODY_PT[1] and w.x0 > 90 * MM
    ]
    if not dates:
        return None
    date = dates[-1]
    centre = (date.x0 + date.x1) / 2
    above = [
        w
        for w in found
        if w.page == date.page
        and date.y0 - 40 < w.y0 < date.y0 - 5
        and w.x0 < centre < w.x1
        and BODY_PT[0] <= _height(w) <= BODY_PT[1]
    ]
    if not above:
        return None
    organ = above[-1]
    body = {
        round(w.y0)
        for w in found
        if w.page == date.page
        and w.y1 < organ.y0 - 2
        and BODY_PT[0] <= _height(w) <= BODY_PT[1]
        and w.y0 < FOLIO_Y
    }
    return Signature(organ=organ.text, date=date.text, page=date.page, body_lines_above=len(body))


def page_count(path: Path) -> int:
    return len(words(path)[0])
