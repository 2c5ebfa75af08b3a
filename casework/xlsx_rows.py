"""The first sheet of an .xlsx as rows of cell values, read by streaming its XML.

The member import reads one sheet once, top to bottom; openpyxl's read-only mode builds a
cell object per cell and spent ~40 % of an import. This reader parses the sheet's XML with
expat's callbacks directly (no element objects; shared strings the same way) and gives the
values openpyxl gives with
`read_only=True, data_only=True` and `values_only=True`: shared and inline strings as text
(phonetic runs left out), numbers as int or float, numbers styled as dates as datetimes
(openpyxl's own format test and conversion), booleans, error codes as text, a formula's
cached value; rows numbered as in the file (a missing row is an empty tuple) and padded to
the sheet's declared width. A broken package raises ValueError / KeyError / SyntaxError
(the caller refuses the file; broken XML is a ValueError). XML as openpyxl parses it
without defusedxml (not installed): the standard library's expat (entity expansion bounded
since 2.4, no external entities fetched), after casework.member_import's size and zip-ratio checks.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import IO, Any
from xml.etree.ElementTree import iterparse
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"([A-Z]+)(\d*)")
_DIMENSION = re.compile(r"(?:[A-Z]+\d+:)?([A-Z]+)(\d+)$")
# Element names as expat reports them with namespace_separator=" ".
_NS = MAIN[1:-1] + " "
_ROW, _C, _V, _IS, _T, _RPH, _SI = (_NS + n for n in ("row", "c", "v", "is", "t", "rPh", "si"))
READ_BYTES = 1 << 16


def _column(letters: str) -> int:
    """0-based column index of "A", "B", … "AA"."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


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
        items = _StringItems(_SI, strings.append)
        with self._open("xl/sharedStrings.xml") as f:
            _feed(items.parser, f)
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

    def _value(self, kind: str, style: str | None, text: str | None, inline: str | None) -> Any:
        if kind == "inlineStr":
            return inline
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
        if self.date_styles and int(style or "0") in self.date_styles:
            return from_excel(number, self.epoch)
        return number

    def rows(self) -> Iterator[tuple[Any, ...]]:
        """Every row from the first, as openpyxl's `iter_rows(values_only=True)`."""
        width = self.max_col
        expected = 1
        sheet = _SheetRows(self._value)
        with self._open(self.sheet_name) as f:
            for batch in _batches(sheet, f):
                for declared, values in batch:
                    number = int(declared or expected)
                    while expected < number:
                        yield (None,) * width
                        expected += 1
                    if len(values) < width:
                        values.extend([None] * (width - len(values)))
                    yield tuple(values)
                    expected = number + 1


class _StringItems:
    """Expat handlers collecting the text of each `item` element (<si> or <is>): its <t> and
    rich-text runs' <t>, not the phonetic runs (<rPh>), as `_text_of` reads them."""

    def __init__(self, item: str, done: Any) -> None:
        self.item = item
        self.done = done
        self.parts: list[str] | None = None  # inside an item
        self.text: list[str] | None = None  # inside a <t> that counts
        self.phonetic = 0
        self.parser = _parser(self.start, self.end, self.data)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == _T and self.parts is not None and not self.phonetic:
            self.text = []
        elif name == self.item:
            self.parts = []
        elif name == _RPH:
            self.phonetic += 1

    def end(self, name: str) -> None:
        if name == _T and self.text is not None:
            if self.parts is not None:
                self.parts.append("".join(self.text))
            self.text = None
        elif name == self.item and self.parts is not None:
            self.done("".join(self.parts))
            self.parts = None
        elif name == _RPH:
            self.phonetic -= 1

    def data(self, text: str) -> None:
        if self.text is not None:
            self.text.append(text)


class _SheetRows:
    """Expat handlers turning <row> elements into (declared number, values) in `done`."""

    def __init__(self, value: Any) -> None:
        self.value = value
        self.done: list[tuple[str | None, list[Any]]] = []
        self.values: list[Any] | None = None
        self.row: str | None = None
        self.index = 0
        self.kind = "n"
        self.style: str | None = None
        self.cell = False
        self.v: str | None = None
        self.v_text: str | None = None
        self.inline: str | None = None
        self.strings = _StringItems(_IS, self._inline)
        self.parser = _parser(self.start, self.end, self.data)

    def _inline(self, text: str) -> None:
        self.inline = text

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == _V:  # the most frequent first
            self.v = ""
        elif name == _C:
            ref = attrs.get("r")
            index = _column_of(ref) if ref else None
            if index is None:
                index = len(self.values) if self.values is not None else 0
            self.index = index
            self.kind = attrs.get("t", "n")
            self.style = attrs.get("s")
            self.cell = True
            self.v_text = self.inline = None
        elif self.cell:
            self.strings.start(name, attrs)
        elif name == _ROW:
            self.values = []
            self.row = attrs.get("r")

    def end(self, name: str) -> None:
        if name == _V:
            self.v_text = self.v or None  # an empty <v/> has no text
            self.v = None
        elif name == _C:
            self.cell = False
            values = self.values
            if values is None or self.index < len(values):
                return  # a repeated reference: keep the first
            if self.index > len(values):
                values.extend([None] * (self.index - len(values)))
            values.append(self.value(self.kind, self.style, self.v_text, self.inline))
        elif self.cell:
            self.strings.end(name)
        elif name == _ROW and self.values is not None:
            self.done.append((self.row, self.values))
            self.values = None

    def data(self, text: str) -> None:
        if self.v is not None:
            self.v += text
        elif self.cell:
            self.strings.data(text)


_COLUMNS: dict[str, int] = {}


def _column_of(ref: str) -> int | None:
    """0-based column of a cell reference ("C12" → 2), None when it has no column letters."""
    letters = ref.rstrip("0123456789")
    index = _COLUMNS.get(letters)
    if index is None:
        match = _CELL_REF.match(ref)
        if not match:
            return None
        index = _column(match.group(1))
        if match.group(1) == letters and len(_COLUMNS) < 1000:
            _COLUMNS[letters] = index
    return index


def _parser(start: Any, end: Any, data: Any) -> Any:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    return parser


def _feed(parser: Any, f: IO[bytes]) -> None:
    try:
        while chunk := f.read(READ_BYTES):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise ValueError(f"broken XML: {exc}") from exc


def _batches(sheet: _SheetRows, f: IO[bytes]) -> Iterator[list[tuple[str | None, list[Any]]]]:
    """The rows completed by each block of the sheet read."""
    try:
        while chunk := f.read(READ_BYTES):
            sheet.parser.Parse(chunk, False)
            if sheet.done:
                yield sheet.done
                sheet.done = []
        sheet.parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise ValueError(f"broken XML: {exc}") from exc
    if sheet.done:
        yield sheet.done


def _parse(f: IO[bytes]) -> Any:
    from xml.etree.ElementTree import parse

    return parse(f).getroot()  # noqa: S314
