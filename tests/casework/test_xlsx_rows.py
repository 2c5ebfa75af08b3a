"""casework.xlsx_rows gives the values openpyxl's read-only mode gives, row for row."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from casework.xlsx_rows import XlsxRows

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _openpyxl_rows(path: Path) -> list[tuple[object, ...]]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        return [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def _ours(path: Path) -> list[tuple[object, ...]]:
    reader = XlsxRows(path)
    try:
        return list(reader.rows())
    finally:
        reader.close()


def test_a_written_workbook_reads_as_openpyxl_reads_it(tmp_path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "公民身份号码", "出生日期", "数", "布尔", "空"])
    sheet.append(["林少华", "11010119800304123X", dt.date(1980, 3, 4), 12, True, None])
    sheet.append(["a\tb & <c>", "  spaced  ", dt.datetime(2001, 7, 1, 8, 30), 1.5, False])
    sheet["B6"] = "=1+1"  # a formula without a cached value
    sheet["H7"] = 1e20
    sheet["C8"] = "第八行"
    path = tmp_path / "w.xlsx"
    workbook.save(path)
    assert _ours(path) == _openpyxl_rows(path)
    assert _ours(path)[1][2] == dt.datetime(1980, 3, 4)


SHEET = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:worksheet xmlns:x="{MAIN}"><x:dimension ref="A1:E4"/><x:sheetData>
<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>单</x:t><x:rPh sb="0" eb="1"><x:t>shan</x:t>
</x:rPh></x:is></x:c><x:c r="C1" t="str"><x:f>A1</x:f><x:v>cached</x:v></x:c>
<x:c r="D1" t="e"><x:v>#N/A</x:v></x:c><x:c r="E1" t="inlineStr"><x:is><x:r><x:t>富</x:t></x:r>
<x:r><x:rPr><x:b/></x:rPr><x:t xml:space="preserve"> 文本</x:t></x:r></x:is></x:c></x:row>
<x:row r="3"><x:c r="B3"><x:v>42</x:v></x:c>
<x:c r="D3" t="b"><x:v>1</x:v></x:c><x:c r="E3"><x:v></x:v></x:c></x:row>
<x:row><x:c><x:v>-3.25E2</x:v></x:c><x:c t="inlineStr"/></x:row>
</x:sheetData></x:worksheet>"""


def test_a_hand_made_sheet_with_inline_and_rich_text_prefixes_and_gaps(tmp_path) -> None:
    base = tmp_path / "base.xlsx"
    Workbook().save(base)
    path = tmp_path / "hand.xlsx"
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = SHEET.encode()
            target.writestr(info, data)
    rows = _ours(path)
    assert rows == _openpyxl_rows(path)
    assert rows[0] == ("单", None, "cached", "#N/A", "富 文本")
    assert rows[1] == (None,) * 5
    assert rows[2] == (None, 42, None, True, None)
    assert rows[3][0] == -325.0


def test_broken_xml_is_a_value_error(tmp_path) -> None:
    base = tmp_path / "base.xlsx"
    Workbook().save(base)
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = SHEET.encode()[:-40]
            target.writestr(info, data)
    with pytest.raises(ValueError):
        _ours(path)
