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
