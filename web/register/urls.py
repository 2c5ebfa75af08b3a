"""The register as a viewflow Application (registered in web/site.py)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from casework.access import reads_register
from web.register import search, views


class RegisterApp(Application):
    title = _("党员名册")
    icon = "people"
    app_name = "register"
    menu_shown_to = staticmethod(reads_register)  # not to liaisons (see site_menu.html)
    menu_template_name = "web/register/menu.html"
    index_path = path("", views.member_list, name="index")
    search_path = path("search/", search.member_search, name="search")
    create_path = path("members/new/", views.member_new, name="create")
    detail_path = path("members/<int:pk>/", views.member_detail, name="detail")
    edit_path = path("members/<int:pk>/edit/", views.member_edit, name="edit")
    reveal_path = path("members/<int:pk>/reveal/", views.member_reveal_view, name="reveal")
    call_path = path("members/<int:pk>/call/", views.member_call_view, name="call")
    relative_add_path = path(
        "members/<int:pk>/relatives/", views.relative_add_view, name="relative_add"
    )
    relative_remove_path = path(
        "members/<int:pk>/relatives/<int:relative_pk>/remove/",
        views.relative_remove_view,
        name="relative_remove",
    )
    import_path = path("import/", views.import_start, name="import")
    import_job_path = path("import/<int:pk>/", views.import_job, name="import_job")
    export_path = path("export/", views.roster_export_view, name="export")
