"""The root URL configuration: probes, auth, admin, the API, the site shell (every app
registers in web.site). settings.ROOT_URLCONF points here."""

from django.contrib import admin
from django.urls import include, path
from viewflow.contrib.auth import AuthViewset

from web.health import healthz, readyz
from web.metrics import metrics_view
from web.site import site

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", AuthViewset(with_profile_view=False).urls),
    path("admin/", admin.site.urls),
    path("api/", include("web.api.urls")),
    path("integrations/", include("integrations.urls")),
    path("", include("documents.urls")),
    path("", site.urls),
]
