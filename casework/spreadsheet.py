"""Cells for exported spreadsheets: text stays text.

A value someone typed — an occupation, an address, an organisation's name — that begins with
= + - @ (or a tab / carriage return) would be taken for a formula by a spreadsheet program:
`=HYPERLINK("http://…")` imported into a member's occupation must not come back out of the
roster as a live link. Such strings are written as text cells with Excel's quote prefix (the
leading ' a user would type), so the file shows exactly the stored text and runs nothing.
Numbers and dates are written as they are."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def text_cells(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row for `sheet.append` (write-only or not): risky strings as quoted text cells."""
    row: list[Any] = []
    for value in values:
        if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
            cell = Cell(sheet, column=1, row=1, value=value)  # placed by append
            cell.data_type = "s"
            cell.quotePrefix = True
            row.append(cell)
        else:
            row.append(value)
    return row
