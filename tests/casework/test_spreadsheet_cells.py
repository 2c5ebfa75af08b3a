"""Exported cells that look like formulas stay text, in write-only and ordinary sheets."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from casework.spreadsheet import text_cells

RISKY = ["=1+2", "+SUM(A1)", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x")']
PLAIN = ["福州市鼓楼区", 42, dt.date(2026, 1, 2), None, "a=b"]


@pytest.mark.parametrize("write_only", [True, False])
def test_formula_looking_text_is_written_as_quoted_text(write_only: bool) -> None:
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("s") if write_only else book.active
    assert sheet is not None
    sheet.append(text_cells(sheet, RISKY))
    sheet.append(text_cells(sheet, PLAIN))
    buffer = io.BytesIO()
    book.save(buffer)
    loaded = load_workbook(io.BytesIO(buffer.getvalue()))
    read = loaded["s"] if write_only else loaded.active
    assert read is not None
    risky, plain = list(read.iter_rows(max_row=2))
    assert [c.value for c in risky] == RISKY
    assert {c.data_type for c in risky} == {"s"}
    assert all(c.quotePrefix for c in risky)
    assert plain[0].value == "福州市鼓楼区" and not plain[0].quotePrefix
    assert plain[1].value == 42 and plain[1].data_type == "n"
    assert plain[4].value == "a=b"
