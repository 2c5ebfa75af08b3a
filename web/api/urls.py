"""/api/v1/ routes, the OpenAPI schema and the locally served Swagger UI.

Redoc is not offered: its drf-spectacular template loads Google Fonts (an external URL).
Swagger UI's assets come from drf-spectacular-sidecar; its init script is a separate
same-origin file (SpectacularSwaggerSplitView), so the CSP `script-src 'self'` holds."""

from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)

from web.api.errors import api_not_found
from web.api.views import cases, dashboard, documents, home, register, tasks, tokens

app_name = "api"

v1 = [
    path("organisations/", register.OrganisationList.as_view(), name="organisations"),
    path("organisations/<int:pk>/", register.OrganisationDetail.as_view(), name="organisation"),
    path("members/", register.MemberList.as_view(), name="members"),
    path("members/<int:pk>/", register.MemberDetail.as_view(), name="member"),
    path("members/<int:pk>/reveal/", register.MemberReveal.as_view(), name="member-reveal"),
    path(
        "members/<int:pk>/contact-attempts/",
        register.ContactAttemptList.as_view(),
        name="contact-attempts",
    ),
    path("meetings/", register.MeetingList.as_view(), name="meetings"),
    path("meetings/<int:pk>/", register.MeetingDetail.as_view(), name="meeting"),
    path("cases/", cases.CaseList.as_view(), name="cases"),
    path("cases/<int:pk>/", cases.CaseDetail.as_view(), name="case"),
    path("cases/<int:pk>/timeline/", cases.CaseTimeline.as_view(), name="case-timeline"),
    path("inquiries/", cases.InquiryList.as_view(), name="inquiries"),
    path("inquiries/<int:pk>/", cases.InquiryDetail.as_view(), name="inquiry"),
    path("inquiries/<int:pk>/answer/", cases.InquiryAnswerView.as_view(), name="inquiry-answer"),
    path("documents/", documents.DocumentList.as_view(), name="documents"),
    path("documents/<int:pk>/", documents.DocumentDetail.as_view(), name="document"),
    path("documents/<int:pk>/pdf/", documents.DocumentPdf.as_view(), name="document-pdf"),
    path("verify/", documents.VerifyByUpload.as_view(), name="verify-upload"),
    path("verify/<str:code>/", documents.VerifyByCode.as_view(), name="verify-code"),
    path("tasks/inbox/", tasks.TaskInbox.as_view(), name="task-inbox"),
    path("tasks/queue/", tasks.TaskGroupQueue.as_view(), name="task-queue"),
    path("tasks/approvals/", tasks.TaskApprovalQueue.as_view(), name="task-approvals"),
    path("tasks/<int:task_id>/", tasks.TaskDetail.as_view(), name="task"),
    path("tasks/<int:task_id>/claim/", tasks.TaskClaim.as_view(), name="task-claim"),
    path("tasks/<int:task_id>/release/", tasks.TaskRelease.as_view(), name="task-release"),
    path("tasks/<int:task_id>/complete/", tasks.TaskComplete.as_view(), name="task-complete"),
    path("home/", home.HomeFigures.as_view(), name="home"),
    path("dashboard/", dashboard.DashboardFigures.as_view(), name="dashboard"),
    path("tokens/", tokens.TokenList.as_view(), name="tokens"),
    path("tokens/<int:pk>/", tokens.TokenDetail.as_view(), name="token"),
    path("auth/token/", tokens.PasswordTokenExchange.as_view(), name="auth-token"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^", api_not_found, name="not-found"),
]
