"""The case list and case page as an application of the Material site."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from casework.access import reads_register
from web.cases.appeals import CaseAppealView
from web.cases.views import (
    CaseApproversView,
    CaseDetailView,
    CaseInquirySignView,
    CaseListView,
    CaseSendBackView,
    CaseWithdrawView,
)


class CasesApp(Application):
    title = _("失联案件")
    icon = "folder_shared"
    app_name = "cases"
    menu_shown_to = staticmethod(reads_register)  # not to liaisons (see site_menu.html)
    menu_template_name = None
    index_path = path("", CaseListView.as_view(), name="index")
    detail_path = path("<int:pk>/", CaseDetailView.as_view(), name="detail")
    send_back_path = path("<int:pk>/send-back/", CaseSendBackView.as_view(), name="send_back")
    approvers_path = path("<int:pk>/approvers/", CaseApproversView.as_view(), name="approvers")
    withdraw_path = path("<int:pk>/withdraw/", CaseWithdrawView.as_view(), name="withdraw")
    appeal_path = path("<int:pk>/appeal/", CaseAppealView.as_view(), name="appeal")
    sign_inquiry_path = path(
        "<int:pk>/inquiries/<int:inquiry_pk>/sign/",
        CaseInquirySignView.as_view(),
        name="sign_inquiry",
    )
