"""The case flow in the Material site: the flow's task screens (/workflows/<process>/<node>/
<task>/…) and nothing else of viewflow's own frontend.

The queues users see are ours (web/queues: inbox, group queue, approval queue, archive, bulk
reassign). viewflow's duplicate pages of this app — its dashboard, inbox, queue and archive —
redirect there, and the app's menu lists our queues instead of viewflow's, so there is one
set of queues. The claim / release / reassign URLs under /workflows/task/<id>/ are kept for
the task pages and old links; they run the same views as /queues/task/<id>/….
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from viewflow.utils import viewprop
from viewflow.workflow.flow.viewset import FlowAppViewset

from web.queues.views import BulkReassignView, TaskActionView
from workflows.case.flows import CaseFlow


def _to(name: str) -> Any:
    """A permanent-looking (but 302, cheap to change) redirect to one of our queue pages."""
    return RedirectView.as_view(pattern_name=name, query_string=True, permanent=False)


class CaseFlowViewset(FlowAppViewset):
    app_name = "workflows"
    title = _("案件办理")
    icon = "assignment"
    menu_template_name = "workflows/flow_menu.html"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(CaseFlow, **kwargs)

    def has_view_permission(self, user: Any, obj: Any = None) -> bool:
        """Every signed-in user sees the app; what they see inside is scoped by selectors."""
        return bool(user.is_authenticated)

    @viewprop
    def dashboard_view(self) -> Any:
        return _to("queues:index")

    @viewprop
    def inbox_view(self) -> Any:
        return _to("queues:index")

    @viewprop
    def queue_view(self) -> Any:
        return _to("queues:queue")

    @viewprop
    def archive_view(self) -> Any:
        return _to("queues:archive")

    @property
    def approvals_path(self) -> Any:
        return path("approvals/", _to("queues:approvals"), name="approvals")

    @property
    def claim_path(self) -> Any:
        return path(
            "task/<int:task_id>/claim/", TaskActionView.as_view(action="claim"), name="claim"
        )

    @property
    def release_path(self) -> Any:
        return path(
            "task/<int:task_id>/release/", TaskActionView.as_view(action="release"), name="release"
        )

    @property
    def reassign_task_path(self) -> Any:
        return path(
            "task/<int:task_id>/reassign/",
            TaskActionView.as_view(action="reassign"),
            name="reassign_task",
        )

    @property
    def bulk_reassign_path(self) -> Any:
        return path("bulk-reassign/", BulkReassignView.as_view(), name="bulk_reassign")
