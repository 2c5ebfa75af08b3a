"""The assessment dashboard (measure 9) and its audited exports."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from casework.errors import NotFound
from casework.selectors.dashboard import PERIODS, Dashboard, dashboard_for_user
from casework.services.dashboard import dashboard_export_record
from web.dashboard.charts import bar_chart
from web.dashboard.exports import dashboard_pdf, dashboard_xlsx, table
from web.dashboard.prevention import (
    data_quality_rows,
    key_group_rows,
    org_life_rows,
    prevention_charts,
    prevention_table,
)
from web.dashboard.upper import add_upper_floor_figures
from web.typing import AuthedRequest


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def load_dashboard(request: HttpRequest) -> Dashboard:
    try:
        dashboard = dashboard_for_user(
            user=request.user,
            organisation_id=_int(request.GET.get("org")),
            period_days=_int(request.GET.get("days")) or PERIODS[0],
        )
    except NotFound as exc:
        raise Http404 from exc
    add_upper_floor_figures(dashboard)
    return dashboard


def charts(dashboard: Dashboard) -> dict[str, Any]:
    rows = dashboard.children or dashboard.rows
    return {
        "rate": bar_chart(
            title=_("失联率（本期末／上期末，%）"),
            rows=[
                (f.organisation.name, f.lost_contact_rate, f.lost_contact_rate_prev) for f in rows
            ],
            unit="%",
        ),
        "stages": bar_chart(
            title=_("在办案件按环节"),
            rows=[
                (label, float(dashboard.total.by_stage.get(value, 0)), None)
                for value, label in dashboard.stages()
            ],
        ),
        "outcomes": bar_chart(
            title=_("找到与停止党籍（本期／上期）"),
            rows=[
                (_("找到"), float(dashboard.total.located), float(dashboard.total.located_prev)),
                (
                    _("停止党籍"),
                    float(dashboard.total.suspended),
                    float(dashboard.total.suspended_prev),
                ),
            ],
        ),
    }


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "web/dashboard/page.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        dashboard = load_dashboard(self.request)
        context.update(
            dashboard=dashboard,
            table=table(dashboard),
            charts={**charts(dashboard), **prevention_charts(dashboard)},
            periods=PERIODS,
            prevention=prevention_table(dashboard),
            key_groups=key_group_rows(dashboard.total),
            data_quality=data_quality_rows(dashboard.total),
            org_life=org_life_rows(dashboard.total),
        )
        return context


class DashboardExportView(LoginRequiredMixin, View):
    fmt = "xlsx"

    def get(self, request: AuthedRequest) -> HttpResponse:
        dashboard = load_dashboard(request)
        if self.fmt == "pdf":
            data = dashboard_pdf(dashboard, charts(dashboard))
            content_type = "application/pdf"
        else:
            data = dashboard_xlsx(dashboard)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        dashboard_export_record(
            actor=request.user,
            organisation=dashboard.focus,
            fmt=self.fmt,
            period_days=dashboard.period_days,
        )
        response = HttpResponse(data, content_type=content_type)
        name = f"dashboard-{dashboard.focus.pk}-{dashboard.as_of:%Y%m%d}.{self.fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response
