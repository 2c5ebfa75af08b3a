"""The first sheet of an .xlsx as rows of cell values, read by streaming its XML.

The member import reads one sheet once, top to bottom; openpyxl's read-only mode builds a
cell object per cell and spent ~40 % of an import. This reader parses the sheet's XML with
`iterparse` (clearing each row once read) and gives the values openpyxl gives with
`read_only=True, data_only=True` and `values_only=True`: shared and inline strings as text
(phonetic runs left out), numbers as int or float, numbers styled as dates as datetimes
(openpyxl's own format test and conversion), booleans, error codes as text, a formula's
cached value; rows numbered as in the file (a missing row is an empty tuple) and padded to
the sheet's declared width. A broken package raises ValueError / KeyError / SyntaxError
(the caller refuses the file). XML as openpyxl parses it without defusedxml (not installed):
the standard library's expat (entity expansion bounded since 2.4, no external entities
fetched), after casework.member_import's size and zip-ratio checks.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import IO, Any
from xml.etree.ElementTree import iterparse

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"([A-Z]+)(\d*)")
_DIMENSION = re.compile(r"(?:[A-Z]+\d+:)?([A-Z]+)(\d+)$")


def _column(letters: str) -> int:
    """0-based column index of "A", "B", … "AA"."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _text_of(element: Any) -> str:
    """The text of a string item (<si> or <is>): its <t> and rich-text runs, no phonetics."""
    parts: list[str] = []
    for child in element:
        if child.tag == f"{MAIN}t":
            parts.append(child.text or "")
        elif child.tag == f"{MAIN}r":
            for t in child.iter(f"{MAIN}t"):
                parts.append(t.text or "")
    return "".join(parts)


class XlsxRows:
    """`rows()` of the workbook's first sheet; `max_row` from its dimension (0 if unknown)."""

    def __init__(self, path: Any) -> None:
        self.zip = zipfile.ZipFile(path)
        try:
            self.sheet_name, self.epoch = self._first_sheet()
            self.strings = self._shared_strings()
            self.date_styles = self._date_styles()
            self.max_row, self.max_col = self._dimension()
        except Exception:
            self.zip.close()
            raise

    def close(self) -> None:
        self.zip.close()

    def _open(self, name: str) -> IO[bytes]:
        return self.zip.open(name)

    def _first_sheet(self) -> tuple[str, dt.datetime]:
        with self._open("xl/workbook.xml") as f:
            workbook = _parse(f)
        pr = workbook.find(f"{MAIN}workbookPr")
        date1904 = pr is not None and pr.get("date1904") in ("1", "true")
        sheet = workbook.find(f"{MAIN}sheets/{MAIN}sheet")
        if sheet is None:
            raise ValueError("no sheet")
        rel_id = sheet.get(f"{REL}id")
        with self._open("xl/_rels/workbook.xml.rels") as f:
            rels = _parse(f)
        for rel in rels.iter(f"{PKG_REL}Relationship"):
            if rel.get("Id") == rel_id:
                target = rel.get("Target", "")
                name = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                return posixpath.normpath(name), (
                    CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
                )
        raise ValueError("sheet relationship missing")

    def _shared_strings(self) -> list[str]:
        if "xl/sharedStrings.xml" not in self.zip.namelist():
            return []
        strings: list[str] = []
        with self._open("xl/sharedStrings.xml") as f:
            for _event, element in iterparse(f, events=("end",)):  # noqa: S314
                if element.tag == f"{MAIN}si":
                    strings.append(_text_of(element))
                    element.clear()
        return strings

    def _date_styles(self) -> set[int]:
        """Indexes of the cell formats (cellXfs) whose number format shows a date."""
        if "xl/styles.xml" not in self.zip.namelist():
            return set()
        with self._open("xl/styles.xml") as f:
            styles = _parse(f)
        formats = dict(BUILTIN_FORMATS)
        for fmt in styles.iter(f"{MAIN}numFmt"):
            formats[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
        xfs = styles.find(f"{MAIN}cellXfs")
        dates: set[int] = set()
        for index, xf in enumerate(xfs if xfs is not None else []):
            code = formats.get(int(xf.get("numFmtId", "0")), "General")
            if is_date_format(code):
                dates.add(index)
        return dates

    def _dimension(self) -> tuple[int, int]:
        with self._open(self.sheet_name) as f:
            for _event, element in iterparse(f, events=("start",)):  # noqa: S314
                if element.tag == f"{MAIN}dimension":
                    match = _DIMENSION.match(element.get("ref", ""))
                    if match:
                        return int(match.group(2)), _column(match.group(1)) + 1
                    return 0, 0
                if element.tag == f"{MAIN}sheetData":
                    return 0, 0
        return 0, 0

    def _value(self, cell: Any) -> Any:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(f"{MAIN}is")
            return _text_of(inline) if inline is not None else None
        v = cell.find(f"{MAIN}v")
        text = v.text if v is not None else None
        if text is None:
            return None
        if kind == "s":
            return self.strings[int(text)]
        if kind in ("str", "e"):
            return text
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            return dt.datetime.fromisoformat(text.strip().removesuffix("Z"))
        number: int | float = (
            float(text) if any(c in text for c in ".eE") or "inf" in text.lower() else int(text)
        )
        if self.date_styles and int(cell.get("s", "0")) in self.date_styles:
            return from_excel(number, self.epoch)
        return number

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """Every row from the first, as openpyxl's `iter_rows(values_only=True)`."""
        width = self.max_col
        expected = 1
        with self._open(self.sheet_name) as f:
            for _event, element in iterparse(f, events=("end",)):  # noqa: S314
                if element.tag != f"{MAIN}row":
                    continue
                number = int(element.get("r") or expected)
                while expected < number:
                    yield (None,) * width
                    expected += 1
                values: list[Any] = []
                for cell in element.iter(f"{MAIN}c"):
                    ref = cell.get("r")
                    if ref:
                        match = _CELL_REF.match(ref)
                        index = _column(match.group(1)) if match else len(values)
                    else:
                        index = len(values)
                    if index < len(values):
                        continue  # a repeated reference: keep the first
                    values.extend([None] * (index - len(values)))
                    values.append(self._value(cell))
                element.clear()
                if len(values) < width:
                    values.extend([None] * (width - len(values)))
                yield tuple(values)
                expected = number + 1


def _parse(f: IO[bytes]) -> Any:
    from xml.etree.ElementTree import parse

    return parse(f).getroot()  # noqa: S314
