"""Public verification (no login) and the scoped download."""

from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("verify/", views.verify_upload, name="verify"),
    path("verify/<str:code>", views.verify_code, name="verify_code"),
    path("documents/<int:pk>/download", views.download, name="download"),
    path("documents/<int:pk>/preview.png", views.preview, name="preview"),
    path("documents/<int:pk>/void/", views.void, name="void"),
    path("documents/<int:pk>/reissue/", views.reissue, name="reissue"),
]
