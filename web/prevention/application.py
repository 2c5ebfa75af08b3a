"""The prevention Application of the viewflow site."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from casework.access import reads_register
from web.prevention import branch, duty, life, mobility, reach, views


class PreventionApp(Application):
    title = _("失联预防")
    icon = "notifications_active"
    app_name = "prevention"
    menu_shown_to = staticmethod(reads_register)  # not to liaisons (see site_menu.html)
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
    chaser_path = path(
        "transfers/<int:pk>/chaser/", views.TransferChaserView.as_view(), name="chaser"
    )
    # contact duty and data quality (measures 1, 3)
    duty_path = path("duty/", duty.ContactDutyView.as_view(), name="duty")
    quality_path = path("quality/", duty.DataQualityView.as_view(), name="quality")
    quality_export_path = path(
        "quality/export.xlsx", duty.DataQualityExportView.as_view(), name="quality_export"
    )
    member_confirm_path = path(
        "members/<int:pk>/confirm/", duty.MemberConfirmView.as_view(), name="member_confirm"
    )
    # the branch's ledgers, keeper and handovers (measure 2)
    branches_path = path("organisations/", branch.BranchListView.as_view(), name="branches")
    branch_path = path("organisations/<int:org_pk>/", branch.BranchView.as_view(), name="branch")
    keeper_path = path(
        "organisations/<int:org_pk>/keeper/", branch.KeeperView.as_view(), name="keeper"
    )
    handover_new_path = path(
        "organisations/<int:org_pk>/handovers/new/",
        branch.HandoverCreateView.as_view(),
        name="handover_new",
    )
    handover_path = path("handovers/<int:pk>/", branch.HandoverView.as_view(), name="handover")
    handover_confirm_path = path(
        "handovers/<int:pk>/confirm/",
        branch.HandoverConfirmView.as_view(),
        name="handover_confirm",
    )
    handover_record_path = path(
        "handovers/<int:pk>/record/", branch.HandoverRecordView.as_view(), name="handover_record"
    )
    # going abroad and mobile members (measures 2, 8)
    abroad_path = path("abroad/", mobility.AbroadListView.as_view(), name="abroad")
    abroad_new_path = path(
        "organisations/<int:org_pk>/abroad/new/",
        mobility.AbroadCreateView.as_view(),
        name="abroad_new",
    )
    abroad_return_path = path(
        "abroad/<int:pk>/return/", mobility.AbroadReturnView.as_view(), name="abroad_return"
    )
    mobile_path = path("mobile/", mobility.MobileListView.as_view(), name="mobile")
    mobile_new_path = path(
        "organisations/<int:org_pk>/mobile/new/",
        mobility.MobileCreateView.as_view(),
        name="mobile_new",
    )
    mobile_detail_path = path(
        "mobile/<int:pk>/", mobility.MobileDetailView.as_view(), name="mobile_detail"
    )
    mobile_report_path = path(
        "mobile/<int:pk>/report/",
        mobility.MobileActionView.as_view(action="report"),
        name="mobile_report",
    )
    mobile_renew_path = path(
        "mobile/<int:pk>/renew/",
        mobility.MobileActionView.as_view(action="renew"),
        name="mobile_renew",
    )
    mobile_return_path = path(
        "mobile/<int:pk>/return/",
        mobility.MobileActionView.as_view(action="return"),
        name="mobile_return",
    )
    # organisational life and education (measures 7, 8)
    roll_calls_path = path("roll-calls/", life.RollCallListView.as_view(), name="roll_calls")
    roll_call_new_path = path(
        "organisations/<int:org_pk>/roll-calls/new/",
        life.RollCallCreateView.as_view(),
        name="roll_call_new",
    )
    roll_call_path = path("roll-calls/<int:pk>/", life.RollCallView.as_view(), name="roll_call")
    org_life_path = path("org-life/", life.OrgLifeView.as_view(), name="org_life")
    training_path = path("training/", life.TrainingListView.as_view(), name="training")
    training_new_path = path(
        "organisations/<int:org_pk>/training/new/",
        life.TrainingCreateView.as_view(),
        name="training_new",
    )
    letters_send_path = path(
        "organisations/<int:org_pk>/letters/",
        life.LettersSendView.as_view(),
        name="letters_send",
    )
    letter_round_path = path(
        "letters/<int:pk>/", life.LetterRoundView.as_view(), name="letter_round"
    )
    letter_download_path = path(
        "letters/<int:pk>/documents/<int:document_pk>/",
        life.LetterDownloadView.as_view(),
        name="letter_download",
    )
    # reachable organisation (measure 4)
    card_path = path("organisations/<int:org_pk>/card/", reach.CardEditView.as_view(), name="card")
    notices_path = path("notices/", reach.NoticeListView.as_view(), name="notices")
    notice_new_path = path(
        "organisations/<int:org_pk>/notices/new/",
        reach.NoticeCreateView.as_view(),
        name="notice_new",
    )
    notice_path = path("notices/<int:pk>/", reach.NoticeView.as_view(), name="notice")
