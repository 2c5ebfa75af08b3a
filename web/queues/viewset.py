"""The task queues as an application of the Material site."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from casework.access import reads_register
from web.queues.views import BulkReassignView, QueueView, TaskActionView


class QueuesApp(Application):
    title = _("任务队列")
    icon = "inbox"
    app_name = "queues"
    menu_shown_to = staticmethod(reads_register)  # not to liaisons (see site_menu.html)
    menu_template_name = None
    index_path = path("", QueueView.as_view(kind="inbox"), name="index")
    queue_path = path("group/", QueueView.as_view(kind="queue"), name="queue")
    approvals_path = path("approvals/", QueueView.as_view(kind="approvals"), name="approvals")
    archive_path = path("archive/", QueueView.as_view(kind="archive"), name="archive")
    claim_path = path(
        "task/<int:task_id>/claim/", TaskActionView.as_view(action="claim"), name="claim"
    )
    release_path = path(
        "task/<int:task_id>/release/", TaskActionView.as_view(action="release"), name="release"
    )
    reassign_path = path(
        "task/<int:task_id>/reassign/", TaskActionView.as_view(action="reassign"), name="reassign"
    )
    bulk_reassign_path = path("bulk-reassign/", BulkReassignView.as_view(), name="bulk_reassign")
