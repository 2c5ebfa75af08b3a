"""Importing the member register from the statistics-system export (.xlsx / .csv).

No HTTP here: `manage.py import_members` and the upload page's Celery task both call
`import_members`. The file is checked before anything is read (type, size, zip bomb,
encoding) so that an unusable file writes nothing. Rows are validated one by one with the
same rules as the edit form, keyed by the ID-number blind index (idempotent), and written
in chunks by casework.member_import_write (unchanged rows told without decrypting, new rows
by COPY on PostgreSQL); each chunk's transaction carries one `member.import` audit event
with counts (never personal data).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from casework.audit import audit_record
from casework.errors import DomainError
from casework.member_data import clean_member_fields
from casework.models import MembershipType, MemberStatus, Organisation
from casework.services.members import id_number_index
from casework.validation import id_gender, normalise_id_number
from casework.xlsx_rows import XlsxRows

# Model field → accepted header spellings (compared after removing spaces, '*' and ':').
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "党员姓名"),
    "gender": ("性别",),
    "ethnicity": ("民族",),
    "id_number": (
        "公民身份号码",
        "身份证号码",
        "身份证号",
        "公民身份证号码",
        "公民身份证号",
        "身份证",
    ),
    "birth_date": ("出生日期", "出生年月", "出生年月日"),
    "membership_type": ("人员类别", "党员类别", "类别", "党员类型"),
    "join_date": ("入党日期", "入党时间", "加入党组织日期"),
    "organisation": ("所在党支部", "所在党组织", "党支部", "所在支部"),
    "occupation": ("工作岗位", "岗位", "职业"),
    "employer": ("工作单位", "单位", "工作单位及职务"),
    "phone": ("联系电话", "手机号码", "手机号", "手机", "电话", "联系方式"),
    "phone_alt": ("备用电话", "固定电话", "其他联系电话"),
    "residence": ("家庭住址", "现居住地", "住址", "居住地址", "家庭地址", "现住址"),
    "status": ("党籍状态",),
    "file_location": ("档案存放单位", "档案所在单位"),
}
REQUIRED = ("name", "id_number")
_LOOKUP = {spelling: name for name, spellings in HEADERS.items() for spelling in spellings}
_GENDERS = {"男": "M", "女": "F", "M": "M", "F": "F", "男性": "M", "女性": "F"}
_TYPES = {
    "正式党员": MembershipType.FULL,
    "正式": MembershipType.FULL,
    "预备党员": MembershipType.PROBATIONARY,
    "预备": MembershipType.PROBATIONARY,
}
_STATUSES = {str(label): value for value, label in MemberStatus.choices}
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?)?\s*月?$")
CHUNK = 1000


class ImportFileError(DomainError):
    """The file cannot be used at all (exit status 2); nothing has been written."""

    code = "import_file"


@dataclass
class RowIssue:
    row: int
    column: str
    reason: str


@dataclass
class ImportReport:
    batch: str = field(default_factory=lambda: uuid.uuid4().hex)
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    dry_run: bool = False
    atomic: bool = False
    written: bool = False

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["exit_code"] = self.exit_code
        return data


Progress = Callable[[int, int], None]


# --- checking the file ------------------------------------------------------------------------


def check_file(path: Path, name: str | None = None) -> str:
    """Return "xlsx" or "csv", or raise ImportFileError with a clear Chinese message."""
    name = name or path.name
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ImportFileError(_("只支持 .xlsx 或 .csv 文件。"))
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFileError(_("无法读取文件。")) from exc
    if size == 0:
        raise ImportFileError(_("文件为空。"))
    if size > settings.LIANLUO_IMPORT_MAX_BYTES:
        limit = settings.LIANLUO_IMPORT_MAX_BYTES // (1024 * 1024)
        raise ImportFileError(_("文件过大（上限 %(limit)s MB）。") % {"limit": limit})
    with path.open("rb") as handle:
        head = handle.read(8)
    if suffix == ".xlsx":
        if not head.startswith(b"PK\x03\x04"):
            raise ImportFileError(_("文件不是有效的 Excel（.xlsx）文件。"))
        _check_zip(path)
        return "xlsx"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(_("文件内容不是 CSV 文本，请另存为 .csv 或使用 .xlsx。"))
    _csv_encoding(path)
    return "csv"


def _check_zip(path: Path) -> None:
    """Refuse zip bombs before openpyxl inflates anything: total size and per-member ratio."""
    max_total = getattr(settings, "LIANLUO_IMPORT_MAX_UNCOMPRESSED_BYTES", 512 * 1024 * 1024)
    max_ratio = getattr(settings, "LIANLUO_IMPORT_MAX_RATIO", 200)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if "xl/workbook.xml" not in names:
                raise ImportFileError(_("文件不是有效的 Excel（.xlsx）文件。"))
            total = sum(info.file_size for info in infos)
            if total > max_total:
                raise ImportFileError(_("文件解压后过大，疑似压缩炸弹，已拒绝。"))
            for info in infos:
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > 1024 * 1024 and ratio > max_ratio:
                    raise ImportFileError(_("文件压缩比异常，疑似压缩炸弹，已拒绝。"))
            if archive.testzip() is not None:
                raise ImportFileError(_("文件已损坏，无法读取。"))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise ImportFileError(_("文件已损坏，无法读取。")) from exc


def _csv_encoding(path: Path) -> str:
    """utf-8 (with or without BOM) or gb18030; the whole file must decode (nothing half-read)."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(1024 * 1024):
                    text = decoder.decode(chunk)
                    if "\x00" in text:
                        raise ImportFileError(_("文件内容不是 CSV 文本。"))
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ImportFileError(_("无法识别文件编码，请使用 UTF-8 或 GB18030（GBK）保存。"))


# --- reading rows -------------------------------------------------------------------------------


def _normalise_header(value: Any) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"[\s*:：\u3000]", "", text)


def _header_map(cells: tuple[Any, ...]) -> dict[int, tuple[str, str]]:
    """column index → (model field, header as written), for the columns we know."""
    mapping: dict[int, tuple[str, str]] = {}
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        label = _normalise_header(cell)
        name = _LOOKUP.get(label)
        if name and name not in seen:
            mapping[index] = (name, label)
            seen.add(name)
    return mapping


def _rows_xlsx(path: Path) -> tuple[Iterator[tuple[Any, ...]], int, Callable[[], None]]:
    """The first sheet's rows, streamed from its XML (casework.xlsx_rows: the values
    openpyxl's read-only mode gives, at a fraction of its cost)."""
    try:
        reader = XlsxRows(path)
    except Exception as exc:  # a broken package raises many types
        raise ImportFileError(_("文件已损坏，无法读取。")) from exc
    return reader.rows(), reader.max_row, reader.close


def _rows_csv(path: Path) -> tuple[Iterator[tuple[Any, ...]], int, Callable[[], None]]:
    encoding = _csv_encoding(path)
    with path.open("rb") as raw:
        estimate = sum(chunk.count(b"\n") for chunk in iter(lambda: raw.read(1 << 20), b""))
    handle = path.open(encoding=encoding, newline="")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            handle.read(4096), delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    handle.seek(0)
    reader = (tuple(row) for row in csv.reader(handle, dialect))
    return reader, estimate, handle.close


def open_rows(
    path: Path, kind: str
) -> tuple[
    dict[int, tuple[str, str]], Iterator[tuple[int, tuple[Any, ...]]], int, Callable[[], None]
]:
    """Find the header row (within the first 10 rows) and return the data rows numbered as in
    the file (1-based, as a spreadsheet shows them)."""
    rows, estimate, close = _rows_xlsx(path) if kind == "xlsx" else _rows_csv(path)
    numbered = enumerate(rows, start=1)
    try:
        for number, cells in numbered:
            mapping = _header_map(cells)
            fields = {name for name, _label in mapping.values()}
            if all(name in fields for name in REQUIRED):
                return mapping, numbered, max(estimate - number, 0), close
            if number >= 10:
                break
    except ImportFileError:
        close()
        raise
    except Exception as exc:
        close()
        raise ImportFileError(_("文件已损坏，无法读取。")) from exc
    close()
    raise ImportFileError(_("未找到表头：文件须包含“姓名”和“公民身份号码”两列。"))


# --- parsing one row --------------------------------------------------------------------------


class _CellError(Exception):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):
        text = str(int(value))
        if len(text) == 8:
            value = text
        else:
            from openpyxl.utils.datetime import from_excel

            try:
                converted = from_excel(value)
            except (ValueError, OverflowError, TypeError) as exc:
                raise _CellError(_("日期格式不正确。")) from exc
            return converted.date() if isinstance(converted, dt.datetime) else None
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{8}", text):
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        match = _DATE_RE.match(text)
        if match:
            year, month, day = match.groups()
            return dt.date(int(year), int(month), int(day or 1))
    except ValueError as exc:
        raise _CellError(_("日期不存在。")) from exc
    raise _CellError(_("日期格式不正确（示例：2001-07-01）。"))


def _id_number(value: Any) -> str:
    if isinstance(value, float):
        raise _CellError(_("公民身份号码被存为数字而丢失精度，请将该列设为文本格式后重新导出。"))
    return normalise_id_number(_text(value))


def parse_row(
    cells: tuple[Any, ...], mapping: dict[int, tuple[str, str]]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Cells → model values (not yet validated), plus (column, reason) for unparseable cells."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for index, (name, label) in mapping.items():
        raw = cells[index] if index < len(cells) else None
        try:
            if name in ("birth_date", "join_date"):
                parsed: Any = _date(raw)
            elif name == "id_number":
                parsed = _id_number(raw)
            else:
                parsed = _text(raw)
                if name == "gender" and parsed:
                    if parsed not in _GENDERS:
                        raise _CellError(_("性别应为“男”或“女”。"))
                    parsed = _GENDERS[parsed]
                elif name == "membership_type" and parsed:
                    if parsed not in _TYPES:
                        raise _CellError(_("人员类别应为“正式党员”或“预备党员”。"))
                    parsed = _TYPES[parsed]
                elif name == "status" and parsed:
                    if parsed not in _STATUSES:
                        raise _CellError(_("党籍状态无效。"))
                    parsed = _STATUSES[parsed]
        except _CellError as exc:
            problems.append((label, str(exc)))
            continue
        if parsed in ("", None) and name not in REQUIRED:
            continue  # an empty optional cell changes nothing
        values[name] = parsed
    return values, problems


# --- the import -------------------------------------------------------------------------------


@dataclass
class _Good:
    row: int
    values: dict[str, Any]
    index: str
    organisation: Organisation | None


class _Rollback(Exception):
    pass


def import_members(
    *,
    path: Path,
    organisation: Organisation,
    actor: AbstractBaseUser | None,
    name: str | None = None,
    dry_run: bool = False,
    atomic: bool = False,
    chunk_size: int = CHUNK,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the file into `organisation`'s subtree. Raises ImportFileError (nothing written)."""
    from casework.member_import_write import write_chunk as _write_chunk

    kind = check_file(path, name)
    mapping, rows, estimate, close = open_rows(path, kind)
    labels = {name: label for name, label in mapping.values()}
    orgs = _subtree_lookup(organisation)
    report = ImportReport(dry_run=dry_run, atomic=atomic)
    seen: dict[str, int] = {}
    today = dt.date.today()
    try:
        with transaction.atomic() if atomic and not dry_run else nullcontext():
            chunk: list[_Good] = []
            for number, cells in rows:
                if not any(cell not in (None, "") for cell in cells):
                    continue
                report.total += 1
                good = _validate(number, cells, mapping, labels, orgs, seen, report, today)
                if good is not None:
                    chunk.append(good)
                if len(chunk) >= chunk_size:
                    _write_chunk(chunk, organisation, actor, report, labels, atomic, dry_run)
                    chunk = []
                    if progress:
                        progress(report.total, max(estimate, report.total))
            _write_chunk(chunk, organisation, actor, report, labels, atomic, dry_run)
            if atomic and not dry_run:
                if report.rejected:
                    raise _Rollback
                _audit(actor, organisation, report, final=True)
    except _Rollback:
        report.created = report.updated = 0
    finally:
        close()
    report.written = not dry_run and not (atomic and report.rejected) and report.total > 0
    if progress:
        progress(report.total, report.total)
    return report


def _subtree_lookup(root: Organisation) -> dict[str, Organisation]:
    lookup: dict[str, Organisation] = {}
    for org in Organisation.objects.filter(path__startswith=root.path).order_by("-depth"):
        for key in (org.code, org.short_name, org.name):
            if key:
                lookup[_normalise_header(key)] = org
    return lookup


def _validate(
    number: int,
    cells: tuple[Any, ...],
    mapping: dict[int, tuple[str, str]],
    labels: dict[str, str],
    orgs: dict[str, Organisation],
    seen: dict[str, int],
    report: ImportReport,
    today: dt.date,
) -> _Good | None:
    values, problems = parse_row(cells, mapping)
    org: Organisation | None = None
    org_name = values.pop("organisation", "")
    if org_name:
        org = orgs.get(_normalise_header(org_name))
        if org is None:
            problems.append((labels["organisation"], _("在导入的组织范围内找不到该党组织。")))
    number_value = values.get("id_number", "")
    if "gender" not in values and len(number_value) == 18 and number_value[16].isdigit():
        values["gender"] = id_gender(number_value)
    cleaned = clean_member_fields(values, today=today)
    for field_name, reason in cleaned.errors.items():
        problems.append((labels.get(field_name, field_name), reason))
    if "gender" not in cleaned.values and "gender" not in cleaned.errors:
        problems.append((labels.get("gender", "性别"), _("性别不能为空。")))
    if problems:
        report.rejected += 1
        report.errors.extend(RowIssue(number, column, reason) for column, reason in problems)
        return None
    index = id_number_index(cleaned.values["id_number"])
    if index in seen:
        report.rejected += 1
        report.errors.append(
            RowIssue(
                number,
                labels["id_number"],
                _("与第%(row)s行的公民身份号码重复。") % {"row": seen[index]},
            )
        )
        return None
    seen[index] = number
    for warning in cleaned.warnings:
        report.warnings.append(RowIssue(number, labels.get("gender", "性别"), warning))
    return _Good(number, cleaned.values, index, org)


def _audit(
    actor: AbstractBaseUser | None,
    organisation: Organisation,
    report: ImportReport,
    *,
    final: bool,
    chunk: dict[str, int] | None = None,
) -> None:
    audit_record(
        actor=actor,
        action="member.import",
        organisation=organisation,
        after={
            "batch": report.batch,
            "chunk": chunk or {},
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": report.rejected,
            "rows": report.total,
            "atomic": report.atomic,
        },
    )
