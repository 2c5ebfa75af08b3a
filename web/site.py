"""The viewflow Material site: the shell every screen lives in. Apps register here."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application, Site

from integrations.site import CoordinationApp, LiaisonApp
from web.prevention.application import PreventionApp
from web.register.urls import RegisterApp
from web.views import HomeView


class HomeApp(Application):
    title = _("首页")
    icon = "home"
    app_name = "home"
    menu_template_name = None
    index_path = path("", HomeView.as_view(), name="index")


class LianluoSite(Site):
    # Applications may say whom the menu shows them to (`menu_shown_to(user)`), apart from
    # who may open them: a liaison does not see the register, yet /register/ still answers
    # them as before (an empty list, 404 on a member), not viewflow's blanket 403.
    menu_template_name = "web/includes/site_menu.html"


site = LianluoSite(
    title=_("联络 · 党员联络管理"),
    viewsets=[HomeApp(), RegisterApp(), PreventionApp(), CoordinationApp(), LiaisonApp()],
)


def add_app(app: Application) -> None:
    """Register an application after the site is built: its URLs and its menu entry
    (viewflow's menu reads `_children`, which `viewsets.append` alone does not update)."""
    site.viewsets.append(app)
    site._children.append(app)


from web.queues.flow_viewset import CaseFlowViewset  # noqa: E402

site.viewsets.append(CaseFlowViewset())

from web.dashboard.viewset import DashboardApp  # noqa: E402

add_app(DashboardApp())

from web.cases.viewset import CasesApp  # noqa: E402

add_app(CasesApp())

from web.queues.viewset import QueuesApp  # noqa: E402

add_app(QueuesApp())
