"""The dashboard as an application of the Material site."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from casework.access import reads_register
from web.dashboard.views import DashboardExportView, DashboardView


class DashboardApp(Application):
    title = _("考核统计")
    icon = "insights"
    app_name = "dashboard"
    menu_shown_to = staticmethod(reads_register)  # not to liaisons (see site_menu.html)
    menu_template_name = None
    index_path = path("", DashboardView.as_view(), name="index")
    export_xlsx_path = path(
        "export.xlsx", DashboardExportView.as_view(fmt="xlsx"), name="export_xlsx"
    )
    export_pdf_path = path("export.pdf", DashboardExportView.as_view(fmt="pdf"), name="export_pdf")
