"""The dashboard's prevention indicators (measure 9): 三会一课, contact duty, data quality,
receipts and key groups, shared by the page, the xlsx and the PDF (like exports.columns)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from casework.models import KeyGroup, MeetingKind
from casework.selectors.dashboard import Dashboard, Figures
from casework.spreadsheet import text_cells
from web.dashboard.charts import bar_chart


def prevention_columns() -> list[tuple[str, Callable[[Figures], Any]]]:
    return [
        (_("党支部数"), lambda f: f.branches),
        (_("三会一课按期（个）"), lambda f: f.org_life_ok),
        (_("三会一课按期率（%）"), lambda f: f.org_life_rate),
        (_("上期按期率（%）"), lambda f: f.org_life_rate_prev),
        (_("逾期未联系"), lambda f: f.contact_overdue),
        (_("包干联系履职率（%）"), lambda f: f.contact_duty_rate),
        (_("重点群体党员"), lambda f: f.key_group_members),
        (_("信息不完整"), lambda f: f.dq_incomplete),
        (_("信息完整率（%）"), lambda f: f.data_quality_rate),
        (_("长期未核对"), lambda f: f.dq_unconfirmed),
        (_("疑似重复"), lambda f: f.dq_duplicates),
        (_("回执逾期"), lambda f: f.receipts_overdue),
    ]


def prevention_table(dashboard: Dashboard) -> tuple[list[str], list[tuple[Figures, list[Any]]]]:
    cols = prevention_columns()
    return [h for h, _g in cols], [(row, [get(row) for _h, get in cols]) for row in dashboard.rows]


def key_group_rows(figures: Figures) -> list[tuple[str, int, int]]:
    """(key group, at risk, open cases) of one row."""
    counts = figures.by_key_group
    return [
        (
            str(group.label),
            counts.get(f"risk:{group.value}", 0),
            counts.get(f"open:{group.value}", 0),
        )
        for group in KeyGroup
    ]


def data_quality_rows(figures: Figures) -> list[tuple[str, int]]:
    return [
        (_("缺公民身份号码"), figures.dq_no_id_number),
        (_("缺联系电话"), figures.dq_no_phone),
        (_("缺居住地"), figures.dq_no_residence),
        (_("缺职业（工作岗位）"), figures.dq_no_occupation),
        (_("缺家庭成员或亲属联系方式"), figures.dq_no_relative_contact),
        (_("未指定包干联系人"), figures.dq_no_officer),
        (_("信息长期未核对"), figures.dq_unconfirmed),
        (_("疑似重复登记"), figures.dq_duplicates),
    ]


def org_life_rows(figures: Figures) -> list[tuple[str, int]]:
    labels = dict(MeetingKind.choices)
    return [
        (str(labels.get(kind, kind)), count)
        for kind, count in sorted(figures.org_life_by_kind.items())
    ]


def prevention_charts(dashboard: Dashboard) -> dict[str, SafeString]:
    total = dashboard.total
    return {
        "key_groups": bar_chart(
            title=_("重点群体：失联风险／在办案件"),
            rows=[
                (label[:10], float(risk), float(open_))
                for label, risk, open_ in key_group_rows(total)
            ],
        ),
    }


def add_prevention_sheet(book: Any, dashboard: Dashboard) -> None:
    """A second sheet of the dashboard workbook: the prevention indicators."""
    from openpyxl.styles import Font

    sheet = book.create_sheet(title=_("预防工作"))
    sheet.append(text_cells(sheet, [_("预防工作考核指标"), dashboard.focus.name]))
    headers, rows = prevention_table(dashboard)
    sheet.append([_("党组织"), *headers])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row, values in rows:
        sheet.append(text_cells(sheet, [row.organisation.name, *values]))
    sheet.append([])
    sheet.append([_("重点群体"), _("失联风险"), _("在办案件")])
    for label, risk, open_ in key_group_rows(dashboard.total):
        sheet.append([label, risk, open_])
    sheet.append([])
    sheet.append([_("信息数据质量"), _("人数")])
    for label, count in data_quality_rows(dashboard.total):
        sheet.append([label, count])
    sheet.append([])
    sheet.append([_("三会一课按期的党支部"), _("个数")])
    for label, count in org_life_rows(dashboard.total):
        sheet.append([label, count])
    sheet.column_dimensions["A"].width = 30
