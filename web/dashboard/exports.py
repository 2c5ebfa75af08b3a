"""The dashboard as a spreadsheet (openpyxl) and a PDF (WeasyPrint) for inspections."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.selectors.dashboard import Dashboard, Figures
from casework.spreadsheet import text_cells
from web.dashboard.prevention import add_prevention_sheet, prevention_table


def columns() -> list[tuple[str, Callable[[Figures], Any]]]:
    """(header, value) for one row: shared by the page, the xlsx and the PDF."""
    return [
        (_("党员数"), lambda f: f.members),
        (_("失联风险"), lambda f: f.at_risk),
        (_("在办案件"), lambda f: f.open_cases),
        (_("上期末在办"), lambda f: f.open_cases_prev),
        (_("失联率（%）"), lambda f: f.lost_contact_rate),
        (_("上期失联率（%）"), lambda f: f.lost_contact_rate_prev),
        (_("本期立案"), lambda f: f.opened),
        (_("上期立案"), lambda f: f.opened_prev),
        (_("本期找到"), lambda f: f.located),
        (_("上期找到"), lambda f: f.located_prev),
        (_("本期停止党籍"), lambda f: f.suspended),
        (_("上期停止党籍"), lambda f: f.suspended_prev),
        (_("找到占比（%）"), lambda f: f.located_share),
        (_("找到用时中位数（天）"), lambda f: f.median_days_to_locate),
        (_("上期用时中位数（天）"), lambda f: f.median_days_to_locate_prev),
        (_("逾期任务"), lambda f: f.overdue_tasks),
        (_("逾期协查"), lambda f: f.overdue_inquiries),
        (_("回执未返回"), lambda f: f.unreturned_receipts),
    ]


def table(dashboard: Dashboard) -> tuple[list[str], list[tuple[Figures, list[Any]]]]:
    """Headers and (row, values) pairs, computed here so templates never call getters."""
    cols = columns()
    return [h for h, _g in cols], [(row, [get(row) for _h, get in cols]) for row in dashboard.rows]


def dashboard_xlsx(dashboard: Dashboard) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("考核指标")
    sheet.append(text_cells(sheet, [_("党员失联情况统计"), dashboard.focus.name]))
    sheet.append(
        [
            _("统计期间"),
            f"{dashboard.period_start:%Y-%m-%d} — {dashboard.as_of:%Y-%m-%d}",
            _("上期"),
            f"{dashboard.previous_start:%Y-%m-%d} — {dashboard.period_start:%Y-%m-%d}",
        ]
    )
    if dashboard.computed_at is not None:
        moment = timezone.localtime(dashboard.computed_at)
        sheet.append([_("每日统计，数据截至"), f"{moment:%Y-%m-%d %H:%M}"])
    sheet.append([])
    cols = columns()
    sheet.append([_("党组织"), *[header for header, _get in cols]])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in dashboard.rows:
        sheet.append(text_cells(sheet, [row.organisation.name, *[get(row) for _h, get in cols]]))
    sheet.append([])
    sheet.append([_("按环节统计在办案件"), *[label for _v, label in dashboard.stages()]])
    for row in dashboard.rows:
        stages = [row.by_stage.get(v, 0) for v, _l in dashboard.stages()]
        sheet.append(text_cells(sheet, [row.organisation.name, *stages]))
    sheet.column_dimensions["A"].width = 28
    add_prevention_sheet(book, dashboard)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def dashboard_pdf(dashboard: Dashboard, charts: dict[str, Any]) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from documents.fonts import font_face_css

    html = render_to_string(
        "web/dashboard/pdf.html",
        {
            "dashboard": dashboard,
            "table": table(dashboard),
            "charts": charts,
            "prevention": prevention_table(dashboard),
        },
    )
    config = FontConfiguration()
    fonts = CSS(string=font_face_css(), font_config=config)
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[fonts], font_config=config
    )
    assert pdf is not None
    return bytes(pdf)
