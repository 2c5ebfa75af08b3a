"""The case flow in the Material site: inbox, group queue, approval queue, archive, and the
claim / release / reassign / bulk-reassign actions (all through workflows.services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from viewflow.utils import viewprop
from viewflow.workflow.flow.viewset import FlowAppViewset

from casework.errors import Conflict, DomainError, NotFound, PermissionDenied
from workflows import selectors, services
from workflows.case.flows import CaseFlow

PAGE = 50


class QueueView(LoginRequiredMixin, TemplateView):
    template_name = "workflows/queue.html"
    selector: Any = None
    title: Any = ""
    kind = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        rows = list(type(self).selector(user=self.request.user)[:PAGE])
        ctx.update(rows=rows, title=self.title, kind=self.kind)
        return ctx


class InboxView(QueueView):
    selector = selectors.task_inbox_for_user
    title = _("我的待办")
    kind = "inbox"


class GroupQueueView(QueueView):
    selector = selectors.task_group_queue_for_user
    title = _("待认领")
    kind = "queue"


class ApprovalQueueView(QueueView):
    selector = selectors.task_approval_queue_for_user
    title = _("审批队列")
    kind = "approvals"


class ArchiveView(QueueView):
    selector = selectors.task_archive_for_user
    title = _("已办")
    kind = "archive"


def _error_response(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = 409 if isinstance(exc, Conflict) else 403 if isinstance(exc, PermissionDenied) else 400
    messages.error(request, str(exc.message))
    return render(request, "workflows/refused.html", {"message": exc.message}, status=status)


class TaskActionView(LoginRequiredMixin, View):
    action = ""

    def post(self, request: HttpRequest, task_pk: int) -> HttpResponse:
        user: Any = request.user
        try:
            if self.action == "claim":
                services.task_claim(task_id=task_pk, user=user)
                msg = _("已认领。")
            elif self.action == "release":
                services.task_release(task_id=task_pk, user=user)
                msg = _("已退回队列。")
            else:
                target = (
                    get_user_model()
                    ._default_manager.filter(username=request.POST.get("to", ""))
                    .first()
                )
                if target is None:
                    raise DomainError(_("接收人不存在。"))
                services.task_reassign(
                    task_id=task_pk, actor=user, to=target, reason=request.POST.get("reason", "")
                )
                msg = _("已转办。")
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except DomainError as exc:
            return _error_response(request, exc)
        messages.success(request, msg)
        return HttpResponseRedirect(reverse("workflows:inbox"))


class BulkReassignForm(forms.Form):
    absent = forms.CharField(label=_("请假/缺岗人员（用户名）"))
    to = forms.CharField(label=_("接收人（用户名）"))
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}))


class BulkReassignView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "workflows/bulk_reassign.html", {"form": BulkReassignForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = BulkReassignForm(request.POST)
        if not form.is_valid():
            return render(request, "workflows/bulk_reassign.html", {"form": form}, status=400)
        users = get_user_model()._default_manager
        absent = users.filter(username=form.cleaned_data["absent"]).first()
        to = users.filter(username=form.cleaned_data["to"]).first()
        try:
            if absent is None or to is None:
                raise DomainError(_("人员不存在。"))
            moved = services.tasks_bulk_reassign(
                actor=request.user,  # type: ignore[arg-type]
                absent=absent,
                to=to,
                reason=form.cleaned_data["reason"],
            )
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            status = 409 if isinstance(exc, Conflict) else 400
            return render(request, "workflows/bulk_reassign.html", {"form": form}, status=status)
        messages.success(request, _("已转办 %(n)s 项任务。") % {"n": len(moved)})
        return HttpResponseRedirect(reverse("workflows:inbox"))


class CaseFlowViewset(FlowAppViewset):
    app_name = "workflows"
    title = _("案件办理")
    icon = "assignment"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(CaseFlow, **kwargs)

    def has_view_permission(self, user: Any, obj: Any = None) -> bool:
        """Every signed-in user sees the app; what they see inside is scoped by selectors."""
        return bool(user.is_authenticated)

    @viewprop
    def inbox_view(self) -> Any:
        return InboxView.as_view()

    @viewprop
    def queue_view(self) -> Any:
        return GroupQueueView.as_view()

    @viewprop
    def archive_view(self) -> Any:
        return ArchiveView.as_view()

    @property
    def approvals_path(self) -> Any:
        return path("approvals/", ApprovalQueueView.as_view(), name="approvals")

    @property
    def claim_path(self) -> Any:
        return path(
            "task/<int:task_pk>/claim/", TaskActionView.as_view(action="claim"), name="claim"
        )

    @property
    def release_path(self) -> Any:
        return path(
            "task/<int:task_pk>/release/", TaskActionView.as_view(action="release"), name="release"
        )

    @property
    def reassign_task_path(self) -> Any:
        return path(
            "task/<int:task_pk>/reassign/",
            TaskActionView.as_view(action="reassign"),
            name="reassign_task",
        )

    @property
    def bulk_reassign_path(self) -> Any:
        return path("bulk-reassign/", BulkReassignView.as_view(), name="bulk_reassign")
