"""The prevention Application of the viewflow site."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from web.prevention import views


class PreventionApp(Application):
    title = _("失联预防")
    icon = "notifications_active"
    app_name = "prevention"
    menu_template_name = None
    index_path = path("", views.AtRiskListView.as_view(), name="index")
    contact_path = path(
        "members/<int:pk>/contact/", views.ContactRecordView.as_view(), name="contact"
    )
    dues_path = path("members/<int:pk>/dues/", views.DuesView.as_view(), name="dues")
    meetings_path = path("meetings/", views.MeetingListView.as_view(), name="meetings")
    meeting_create_path = path(
        "organisations/<int:org_pk>/meetings/new/",
        views.MeetingCreateView.as_view(),
        name="meeting_create",
    )
    transfers_path = path("transfers/", views.TransferListView.as_view(), name="transfers")
    receipt_path = path(
        "transfers/<int:pk>/receipt/", views.TransferReceiptView.as_view(), name="receipt"
    )
