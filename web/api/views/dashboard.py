"""Dashboard figures (measure 9) for one organisation of the caller's scope and its children.

The figures come from the dashboard screen's own selector (casework.selectors.dashboard)
plus its upper-floor figures (overdue flow tasks): nothing is counted twice or differently.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.selectors.dashboard import PERIODS, dashboard_for_user
from casework.services.dashboard import dashboard_export_record
from web.api.views.base import query_filters
from web.dashboard.exports import dashboard_pdf, dashboard_xlsx
from web.dashboard.upper import add_upper_floor_figures
from web.dashboard.views import charts
from web.typing import AuthedApiRequest


class DashboardFilterSerializer(serializers.Serializer[Any]):
    organisation = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="Organisation id (default: the top organisation of your scope).",
    )
    period_days = serializers.ChoiceField(choices=list(PERIODS), default=PERIODS[0])


class FiguresSerializer(serializers.Serializer[Any]):
    organisation = serializers.IntegerField(source="organisation.pk")
    organisation_name = serializers.CharField(source="organisation.name")
    is_focus = serializers.BooleanField(help_text="The organisation asked for (first row).")
    members = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    open_cases = serializers.IntegerField()
    open_cases_prev = serializers.IntegerField()
    opened = serializers.IntegerField()
    opened_prev = serializers.IntegerField()
    by_stage = serializers.DictField(child=serializers.IntegerField(), help_text="Open cases.")
    located = serializers.IntegerField()
    located_prev = serializers.IntegerField()
    suspended = serializers.IntegerField()
    suspended_prev = serializers.IntegerField()
    median_days_to_locate = serializers.FloatField(allow_null=True)
    median_days_to_locate_prev = serializers.FloatField(allow_null=True)
    overdue_inquiries = serializers.IntegerField()
    overdue_tasks = serializers.IntegerField(allow_null=True)
    unreturned_receipts = serializers.IntegerField(allow_null=True)
    lost_contact_rate = serializers.FloatField(allow_null=True, help_text="Per cent.")
    lost_contact_rate_prev = serializers.FloatField(allow_null=True)
    located_share = serializers.FloatField(allow_null=True, help_text="Per cent.")
    # prevention (measures 1, 3, 5, 7)
    branches = serializers.IntegerField()
    org_life_ok = serializers.IntegerField(help_text="Branches holding 三会一课 on schedule.")
    org_life_ok_prev = serializers.IntegerField()
    org_life_rate = serializers.FloatField(allow_null=True, help_text="Per cent.")
    org_life_rate_prev = serializers.FloatField(allow_null=True)
    org_life_by_kind = serializers.DictField(
        child=serializers.IntegerField(), help_text="Meeting kind → branches on schedule."
    )
    contact_overdue = serializers.IntegerField(help_text="Members past their contact cadence.")
    contact_duty_rate = serializers.FloatField(allow_null=True, help_text="Per cent.")
    key_group_members = serializers.IntegerField()
    by_key_group = serializers.DictField(
        child=serializers.IntegerField(),
        help_text='"risk:<bit>" at-risk and "open:<bit>" open cases per key group.',
    )
    receipts_overdue = serializers.IntegerField()
    dq_incomplete = serializers.IntegerField()
    data_quality_rate = serializers.FloatField(allow_null=True, help_text="Per cent.")
    dq_no_id_number = serializers.IntegerField()
    dq_no_phone = serializers.IntegerField()
    dq_no_residence = serializers.IntegerField()
    dq_no_occupation = serializers.IntegerField()
    dq_no_relative_contact = serializers.IntegerField()
    dq_no_officer = serializers.IntegerField()
    dq_unconfirmed = serializers.IntegerField()
    dq_duplicates = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer[Any]):
    organisation = serializers.IntegerField(source="focus.pk")
    organisation_name = serializers.CharField(source="focus.name")
    period_days = serializers.IntegerField()
    period_start = serializers.DateField()
    previous_start = serializers.DateField()
    as_of = serializers.DateField()
    computed_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the figures come from the nightly rollup, the time it was computed "
        "(overdue tasks are always live); null when counted live.",
    )
    at_risk_from = serializers.DateField()
    at_risk_until = serializers.DateField()
    rows = FiguresSerializer(many=True, help_text="The organisation first, then its children.")


@extend_schema(
    tags=["dashboard"], parameters=[DashboardFilterSerializer], responses=DashboardSerializer
)
class DashboardFigures(APIView):
    """The dashboard of an organisation in your scope (404 outside it), rolled up the tree,
    with the previous period for comparison."""

    def get(self, request: Request) -> Response:
        filters = query_filters(DashboardFilterSerializer, request)
        dashboard = dashboard_for_user(
            user=request.user,
            organisation_id=filters.get("organisation"),
            period_days=filters["period_days"],
        )
        add_upper_floor_figures(dashboard)
        return Response(DashboardSerializer(dashboard).data)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export(fmt: str) -> type[APIView]:
    content_type = "application/pdf" if fmt == "pdf" else XLSX

    @extend_schema(
        tags=["dashboard"],
        parameters=[DashboardFilterSerializer],
        responses={(200, content_type): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    class DashboardExport(APIView):
        __doc__ = (
            f"The dashboard as {fmt.upper()} — the same file as the screen's export button "
            "(web.dashboard.exports), and the export is audited."
        )

        def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
            return super().perform_content_negotiation(request, force=True)

        def get(self, request: AuthedApiRequest) -> HttpResponse:
            filters = query_filters(DashboardFilterSerializer, request)
            dashboard = dashboard_for_user(
                user=request.user,
                organisation_id=filters.get("organisation"),
                period_days=filters["period_days"],
            )
            add_upper_floor_figures(dashboard)
            if fmt == "pdf":
                data = dashboard_pdf(dashboard, charts(dashboard))
            else:
                data = dashboard_xlsx(dashboard)
            dashboard_export_record(
                actor=request.user,
                organisation=dashboard.focus,
                fmt=fmt,
                period_days=dashboard.period_days,
            )
            response = HttpResponse(data, content_type=content_type)
            name = f"dashboard-{dashboard.focus.pk}-{dashboard.as_of:%Y%m%d}.{fmt}"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            response["Cache-Control"] = "private, no-store"
            return response

    return DashboardExport


DashboardXlsx = _export("xlsx")
DashboardPdf = _export("pdf")
