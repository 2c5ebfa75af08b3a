"""/api/v1/ routes, the OpenAPI schema and the locally served Swagger UI.

Redoc is not offered: its drf-spectacular template loads Google Fonts (an external URL).
Swagger UI's assets come from drf-spectacular-sidecar; its init script is a separate
same-origin file (SpectacularSwaggerSplitView), so the CSP `script-src 'self'` holds."""

from django.urls import include, path, re_path, register_converter
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)

from web.api.errors import api_not_found
from web.api.views import (
    appeals,
    cases,
    dashboard,
    documents,
    home,
    letters,
    members,
    outreach,
    prevention,
    register,
    tasks,
    tokens,
)

app_name = "api"


class IdConverter:
    """A database id: 1 to 2**31-1. Anything larger is no match (→ the 404 problem below)
    instead of an integer overflow in the database driver."""

    regex = "[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number < 2**31:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

v1 = [
    path("organisations/", register.OrganisationList.as_view(), name="organisations"),
    path("organisations/<id:pk>/", register.OrganisationDetail.as_view(), name="organisation"),
    path("members/", register.MemberList.as_view(), name="members"),
    path("members/<id:pk>/", register.MemberDetail.as_view(), name="member"),
    path("members/<id:pk>/reveal/", register.MemberReveal.as_view(), name="member-reveal"),
    path("members/<id:pk>/relatives/", members.RelativeList.as_view(), name="relatives"),
    path(
        "members/<id:pk>/relatives/<id:relative_id>/",
        members.RelativeDetail.as_view(),
        name="relative",
    ),
    path("members/<id:pk>/dues/", members.MemberDues.as_view(), name="member-dues"),
    path("members/<id:pk>/reconnect/", members.MemberReconnect.as_view(), name="member-reconnect"),
    path("contact-changes/", members.ContactChangeList.as_view(), name="contact-changes"),
    path(
        "contact-changes/<id:pk>/decide/",
        members.ContactChangeDecide.as_view(),
        name="contact-change-decide",
    ),
    path("transfers/<id:pk>/receipt/", members.TransferReceipt.as_view(), name="transfer-receipt"),
    path("imports/", members.ImportJobList.as_view(), name="imports"),
    path("imports/<id:pk>/", members.ImportJobDetail.as_view(), name="import"),
    path(
        "members/<id:pk>/contact-attempts/",
        register.ContactAttemptList.as_view(),
        name="contact-attempts",
    ),
    path("meetings/", register.MeetingList.as_view(), name="meetings"),
    path("meetings/<id:pk>/", register.MeetingDetail.as_view(), name="meeting"),
    path("cases/", cases.CaseList.as_view(), name="cases"),
    path("cases/<id:pk>/", cases.CaseDetail.as_view(), name="case"),
    path("cases/<id:pk>/approvers/", cases.CaseApprovers.as_view(), name="case-approvers"),
    path("cases/<id:pk>/withdraw/", cases.CaseWithdraw.as_view(), name="case-withdraw"),
    path("cases/<id:pk>/tasks/", tasks.CaseTasks.as_view(), name="case-tasks"),
    path("cases/<id:pk>/send-back/", cases.CaseSendBack.as_view(), name="case-send-back"),
    path("cases/<id:pk>/appeal/", appeals.CaseAppeal.as_view(), name="case-appeal"),
    path("cases/<id:pk>/timeline/", cases.CaseTimeline.as_view(), name="case-timeline"),
    path("inquiries/", cases.InquiryList.as_view(), name="inquiries"),
    path("inquiries/<id:pk>/", cases.InquiryDetail.as_view(), name="inquiry"),
    path("inquiries/<id:pk>/answer/", cases.InquiryAnswerView.as_view(), name="inquiry-answer"),
    path("inquiries/<id:pk>/sign/", cases.InquirySign.as_view(), name="inquiry-sign"),
    # coordination: departments, channels, letters (web/api/views/letters.py)
    path("departments/", letters.DepartmentList.as_view(), name="departments"),
    path("departments/<id:pk>/", letters.DepartmentDetail.as_view(), name="department"),
    path(
        "departments/<id:pk>/channel/",
        letters.DepartmentChannelView.as_view(),
        name="department-channel",
    ),
    path("letters/", letters.LetterList.as_view(), name="letters"),
    path("letters/send/", letters.LettersSend.as_view(), name="letters-send"),
    path("letters/print-queue/", letters.PrintQueue.as_view(), name="letters-print-queue"),
    path("letters/print/", letters.PrintQueuePdf.as_view(), name="letters-print"),
    path("letters/<id:pk>/", letters.LetterDetail.as_view(), name="letter"),
    path("letters/<id:pk>/resend/", letters.LetterResend.as_view(), name="letter-resend"),
    path("letters/<id:pk>/reply/", letters.LetterReply.as_view(), name="letter-reply"),
    path("documents/", documents.DocumentList.as_view(), name="documents"),
    path("documents/<id:pk>/", documents.DocumentDetail.as_view(), name="document"),
    path("documents/<id:pk>/pdf/", documents.DocumentPdf.as_view(), name="document-pdf"),
    path(
        "documents/<id:pk>/preview/", documents.DocumentPreview.as_view(), name="document-preview"
    ),
    path("documents/<id:pk>/void/", documents.DocumentVoid.as_view(), name="document-void"),
    path(
        "documents/<id:pk>/replace/", documents.DocumentReplace.as_view(), name="document-replace"
    ),
    path("verify/", documents.VerifyByUpload.as_view(), name="verify-upload"),
    path("verify/<str:code>/", documents.VerifyByCode.as_view(), name="verify-code"),
    path("tasks/inbox/", tasks.TaskInbox.as_view(), name="task-inbox"),
    path("tasks/queue/", tasks.TaskGroupQueue.as_view(), name="task-queue"),
    path("tasks/approvals/", tasks.TaskApprovalQueue.as_view(), name="task-approvals"),
    path("tasks/bulk-reassign/", tasks.TaskBulkReassign.as_view(), name="task-bulk-reassign"),
    path("tasks/<id:task_id>/", tasks.TaskDetail.as_view(), name="task"),
    path("tasks/<id:task_id>/form/", tasks.TaskForm.as_view(), name="task-form"),
    path("tasks/<id:task_id>/reassign/", tasks.TaskReassign.as_view(), name="task-reassign"),
    path("tasks/<id:task_id>/claim/", tasks.TaskClaim.as_view(), name="task-claim"),
    path("tasks/<id:task_id>/release/", tasks.TaskRelease.as_view(), name="task-release"),
    path("tasks/<id:task_id>/complete/", tasks.TaskComplete.as_view(), name="task-complete"),
    path("home/", home.HomeFigures.as_view(), name="home"),
    path("dashboard/", dashboard.DashboardFigures.as_view(), name="dashboard"),
    path("dashboard/export.xlsx", dashboard.DashboardXlsx.as_view(), name="dashboard-xlsx"),
    path("dashboard/export.pdf", dashboard.DashboardPdf.as_view(), name="dashboard-pdf"),
    # prevention (measures 1–5, 7–9): web/api/views/prevention.py and outreach.py
    path("members/search/", outreach.MemberSearch.as_view(), name="member-search"),
    path("members/<id:pk>/confirm/", outreach.MemberConfirm.as_view(), name="member-confirm"),
    path(
        "members/<id:pk>/departure-talks/",
        prevention.DepartureTalks.as_view(),
        name="departure-talks",
    ),
    path("data-quality/", outreach.DataQuality.as_view(), name="data-quality"),
    path("contact-duty/", outreach.ContactDuty.as_view(), name="contact-duty"),
    path(
        "organisations/<id:pk>/keeper/",
        prevention.OrganisationKeeper.as_view(),
        name="organisation-keeper",
    ),
    path(
        "organisations/<id:pk>/card/", outreach.OrganisationCard.as_view(), name="organisation-card"
    ),
    path(
        "organisations/<id:pk>/letters/",
        prevention.OrganisationLetters.as_view(),
        name="organisation-letters",
    ),
    path("handovers/", prevention.HandoverList.as_view(), name="handovers"),
    path("handovers/<id:pk>/", prevention.HandoverDetail.as_view(), name="handover"),
    path(
        "handovers/<id:pk>/confirm/", prevention.HandoverConfirm.as_view(), name="handover-confirm"
    ),
    path("handovers/<id:pk>/record/", prevention.HandoverRecord.as_view(), name="handover-record"),
    path("abroad/", prevention.AbroadList.as_view(), name="abroad"),
    path("abroad/<id:pk>/return/", prevention.AbroadReturn.as_view(), name="abroad-return"),
    path("mobile/", prevention.MobileList.as_view(), name="mobile"),
    path("mobile/<id:pk>/", prevention.MobileDetail.as_view(), name="mobile-detail"),
    path(
        "mobile/<id:pk>/report/",
        prevention.MobileAction.as_view(action="report"),
        name="mobile-report",
    ),
    path("mobile/<id:pk>/renew/", prevention.MobileRenew.as_view(), name="mobile-renew"),
    path(
        "mobile/<id:pk>/return/",
        prevention.MobileAction.as_view(action="return"),
        name="mobile-return",
    ),
    path("roll-calls/", prevention.RollCallList.as_view(), name="roll-calls"),
    path("roll-calls/<id:pk>/", prevention.RollCallDetail.as_view(), name="roll-call"),
    path("org-life/", outreach.OrgLife.as_view(), name="org-life"),
    path("training/", prevention.TrainingList.as_view(), name="training"),
    path("letter-rounds/", prevention.LetterRoundList.as_view(), name="letter-rounds"),
    path("notices/", outreach.NoticeList.as_view(), name="notices"),
    path("notices/<id:pk>/", outreach.NoticeDetail.as_view(), name="notice"),
    path("tokens/", tokens.TokenList.as_view(), name="tokens"),
    path("tokens/<id:pk>/", tokens.TokenDetail.as_view(), name="token"),
    path("auth/token/", tokens.PasswordTokenExchange.as_view(), name="auth-token"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^", api_not_found, name="not-found"),
]
