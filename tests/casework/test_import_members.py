import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from casework.models import AuditEvent, Member, MemberChange
from tests.factories import make_member, valid_id_number

HEADER = ["序号", "姓名", "性别", "公民身份号码", "出生日期", "人员类别", "入党日期", "所在党支部",
          "工作岗位", "联系电话", "家庭住址"]  # fmt: skip


def _rows(n: int = 3) -> list[list[object]]:
    rows = []
    for i in range(n):
        number = valid_id_number(dt.date(1980 + i, 3, 4), "M" if i % 2 == 0 else "F")
        rows.append([i + 1, f"党员{i}", "男" if i % 2 == 0 else "女", number, "", "正式党员",
                     dt.date(2005, 7, 1), "测试第一党支部", "教师", f"1380013{i:04d}",
                     f"福州市鼓楼区{i}号"])  # fmt: skip
    return rows


def _xlsx(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["党员信息表"])  # a title row above the header is tolerated
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def _run(path: Path, org: str, *args: str) -> tuple[int, dict]:
    out = io.StringIO()
    code = 0
    try:
        call_command("import_members", str(path), "--org", org, "--json", *args, stdout=out)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, json.loads(out.getvalue())


def test_a_good_file_imports_every_row_with_one_audit_event(world, tmp_path) -> None:
    path = _xlsx(tmp_path / "good.xlsx", _rows(3))
    code, report = _run(path, world.committee.code)
    assert code == 0
    assert (report["created"], report["rejected"]) == (3, 0)
    members = Member.objects.filter(organisation=world.branch).order_by("name")
    assert [m.name for m in members] == ["党员0", "党员1", "党员2"]
    assert members[0].phone == "13800130000"
    assert members[0].birth_date == dt.date(1980, 3, 4)  # taken from the ID number
    events = AuditEvent.objects.filter(action="member.import")
    assert events.count() == 1
    assert events.get().after["created"] == 3


def test_reimporting_the_same_file_changes_nothing(world, tmp_path) -> None:
    path = _xlsx(tmp_path / "good.xlsx", _rows(3))
    _run(path, world.committee.code)
    events = AuditEvent.objects.count()
    stamps = list(Member.objects.values_list("updated_at", flat=True))
    code, report = _run(path, world.committee.code)
    assert code == 0
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 3)
    assert AuditEvent.objects.count() == events
    assert list(Member.objects.values_list("updated_at", flat=True)) == stamps
    assert not MemberChange.objects.exists()


def test_a_changed_row_updates_the_member_with_masked_history(world, tmp_path) -> None:
    rows = _rows(2)
    _run(_xlsx(tmp_path / "a.xlsx", rows), world.committee.code)
    rows[1][9] = "13999999999"
    rows[1][8] = "会计"
    code, report = _run(_xlsx(tmp_path / "b.xlsx", rows), world.committee.code)
    assert code == 0 and report["updated"] == 1 and report["unchanged"] == 1
    member = Member.objects.get(name="党员1")
    assert (member.phone, member.occupation) == ("13999999999", "会计")
    change = MemberChange.objects.get(member=member)
    assert change.source == "import"
    assert change.changes["phone"] == ["138****0001", "139****9999"]


def test_rejected_rows_are_reported_and_valid_rows_still_imported(world, tmp_path) -> None:
    rows = _rows(4)
    rows[1][3] = "350102198001011234"  # wrong check digit
    rows[2][9] = "12345"  # bad phone
    rows[3][3] = rows[0][3]  # duplicate within the file
    code, report = _run(_xlsx(tmp_path / "bad.xlsx", rows), world.committee.code)
    assert code == 1
    assert report["created"] == 1 and report["rejected"] == 3
    issues = {(e["row"], e["column"]) for e in report["errors"]}
    assert issues == {(4, "公民身份号码"), (5, "联系电话"), (6, "公民身份号码")}
    assert any("校验码" in e["reason"] for e in report["errors"])
    assert Member.objects.count() == 1


def test_a_dry_run_writes_nothing(world, tmp_path) -> None:
    code, report = _run(_xlsx(tmp_path / "good.xlsx", _rows(3)), world.committee.code, "--dry-run")
    assert code == 0 and report["created"] == 3 and not report["written"]
    assert not Member.objects.exists()
    assert not AuditEvent.objects.filter(action="member.import").exists()


def test_atomic_imports_nothing_when_a_row_fails(world, tmp_path) -> None:
    rows = _rows(3)
    rows[2][2] = "未知"
    code, report = _run(_xlsx(tmp_path / "bad.xlsx", rows), world.committee.code, "--atomic")
    assert code == 1 and report["rejected"] == 1 and not report["written"]
    assert not Member.objects.exists()
    assert not AuditEvent.objects.filter(action="member.import").exists()
    code, report = _run(_xlsx(tmp_path / "ok.xlsx", _rows(2)), world.committee.code, "--atomic")
    assert code == 0 and Member.objects.count() == 2
    assert AuditEvent.objects.filter(action="member.import").count() == 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_files_in_common_encodings_with_header_variants(world, tmp_path, encoding) -> None:
    number = valid_id_number(dt.date(1975, 1, 2), "F")
    text = (
        "手机号码,身份证号,姓 名,性别,党员类别,入党时间,家庭地址\n"
        f"13700137000,{number},王芳,女,预备党员,2020年7月1日,福州市台江区\n"
    )
    path = tmp_path / "members.csv"
    path.write_bytes(text.encode(encoding))
    code, report = _run(path, world.branch.code)
    assert code == 0, report
    member = Member.objects.get(name="王芳")
    assert (member.membership_type, member.join_date) == ("probationary", dt.date(2020, 7, 1))
    assert member.residence == "福州市台江区"


def test_a_member_registered_outside_the_scope_is_rejected(world, tmp_path) -> None:
    other = make_member(world.other_branch)
    rows = _rows(1)
    rows[0][3] = other.id_number
    code, report = _run(_xlsx(tmp_path / "x.xlsx", rows), world.committee.code)
    assert code == 1
    assert "本组织范围以外" in report["errors"][0]["reason"]
    assert Member.objects.get(pk=other.pk).organisation == world.other_branch


def _zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    return path


@pytest.mark.parametrize("case", ["wrong_type", "corrupt", "too_big", "zip_bomb", "no_header"])
def test_an_unusable_file_exits_2_and_writes_nothing(world, tmp_path, settings, case) -> None:
    if case == "wrong_type":
        path = tmp_path / "members.pdf"
        path.write_bytes(b"%PDF-1.4")
    elif case == "corrupt":
        path = tmp_path / "members.xlsx"
        path.write_bytes(_xlsx(tmp_path / "ok.xlsx", _rows(2)).read_bytes()[:700])
    elif case == "too_big":
        settings.LIANLUO_IMPORT_MAX_BYTES = 1024
        path = _xlsx(tmp_path / "big.xlsx", _rows(50))
    elif case == "zip_bomb":
        path = _zip_bomb(tmp_path / "bomb.xlsx")
    else:
        path = tmp_path / "members.csv"
        path.write_text("a,b,c\n1,2,3\n")
    code, report = _run(path, world.committee.code)
    assert code == 2
    assert report["error"]
    assert not Member.objects.exists()
    assert not AuditEvent.objects.filter(action="member.import").exists()


FORMULAS = {
    "occupation": '=HYPERLINK("http://evil.example/x","点此更新")',
    "residence": "+cmd|' /C calc'!A0",
}


def test_formula_text_goes_in_as_text_and_comes_out_of_the_roster_as_text(world, tmp_path) -> None:
    """Issue #17, item 9: import → export round trip of formula-looking cells."""
    from casework.exports import roster_export
    from casework.spreadsheet import text_cells

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    row = _rows(1)[0]
    row[8], row[10] = FORMULAS["occupation"], FORMULAS["residence"]
    sheet.append(text_cells(sheet, row))  # as a spreadsheet holding that text would store it
    path = tmp_path / "formulas.xlsx"
    workbook.save(path)
    code, report = _run(path, world.committee.code)
    assert (code, report["created"]) == (0, 1)
    member = Member.objects.get(name="党员0")
    assert (member.occupation, member.residence) == (FORMULAS["occupation"], FORMULAS["residence"])

    data, _count, _full = roster_export(user=world.secretary, organisation=world.branch)
    exported = load_workbook(io.BytesIO(data)).active
    cells = {c.value: c for line in exported.iter_rows() for c in line if c.value}
    for text in FORMULAS.values():
        assert cells[text].data_type == "s"  # a string cell, not a formula
        assert cells[text].quotePrefix is True


def test_an_unknown_organisation_is_a_usage_error_not_rejected_rows(world, tmp_path) -> None:
    path = _xlsx(tmp_path / "good.xlsx", _rows(1))
    with pytest.raises(CommandError) as caught:
        call_command("import_members", str(path), "--org", "NO-SUCH-ORG")
    assert caught.value.returncode == 3
    assert Member.objects.filter(name="党员0").count() == 0
