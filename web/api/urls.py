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
from web.api.views import cases, dashboard, documents, home, register, tasks, tokens

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
    path("cases/<id:pk>/timeline/", cases.CaseTimeline.as_view(), name="case-timeline"),
    path("inquiries/", cases.InquiryList.as_view(), name="inquiries"),
    path("inquiries/<id:pk>/", cases.InquiryDetail.as_view(), name="inquiry"),
    path("inquiries/<id:pk>/answer/", cases.InquiryAnswerView.as_view(), name="inquiry-answer"),
    path("documents/", documents.DocumentList.as_view(), name="documents"),
    path("documents/<id:pk>/", documents.DocumentDetail.as_view(), name="document"),
    path("documents/<id:pk>/pdf/", documents.DocumentPdf.as_view(), name="document-pdf"),
    path("verify/", documents.VerifyByUpload.as_view(), name="verify-upload"),
    path("verify/<str:code>/", documents.VerifyByCode.as_view(), name="verify-code"),
    path("tasks/inbox/", tasks.TaskInbox.as_view(), name="task-inbox"),
    path("tasks/queue/", tasks.TaskGroupQueue.as_view(), name="task-queue"),
    path("tasks/approvals/", tasks.TaskApprovalQueue.as_view(), name="task-approvals"),
    path("tasks/<id:task_id>/", tasks.TaskDetail.as_view(), name="task"),
    path("tasks/<id:task_id>/claim/", tasks.TaskClaim.as_view(), name="task-claim"),
    path("tasks/<id:task_id>/release/", tasks.TaskRelease.as_view(), name="task-release"),
    path("tasks/<id:task_id>/complete/", tasks.TaskComplete.as_view(), name="task-complete"),
    path("home/", home.HomeFigures.as_view(), name="home"),
    path("dashboard/", dashboard.DashboardFigures.as_view(), name="dashboard"),
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
