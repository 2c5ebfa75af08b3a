"""The four task queues (inbox, group queue, approval queue, archive): sortable, filterable,
keyboard-usable; claim / release / reassign and bulk reassign through workflows.services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View

from casework.errors import DomainError, NotFound
from casework.models import CaseStatus, KeyGroup
from web.queues.rows import render_rows
from web.typing import AuthedRequest
from workflows import selectors, services
from workflows.models import OPEN_STATES

PAGE_SIZE = 50
COUNT_CAP = 10_000  # a queue total above this shows as "10000+"
# ?sort= value → ORDER BY (the row's id last keeps pages stable).
SORTS: dict[str, tuple[str, ...]] = {
    "due": ("due_at", "task_id"),
    "-due": ("-due_at", "-task_id"),
    "member": ("case__member__name", "task_id"),
    "-member": ("-case__member__name", "-task_id"),
    "branch": ("organisation__name", "task_id"),
    "-branch": ("-organisation__name", "-task_id"),
    "stage": ("case__status", "task_id"),
    "-stage": ("-case__status", "-task_id"),
    # Days since last contact: more days = older date.
    "since": ("-case__member__last_contact_date", "task_id"),
    "-since": ("case__member__last_contact_date", "-task_id"),
}
COLUMNS = (
    ("member", _("党员")),
    ("branch", _("党支部")),
    ("stage", _("案件环节")),
    ("since", _("距上次联系（天）")),
    ("due", _("办理期限")),
)
# What a queue row shows (see queue.html): the member's encrypted personal data, the flow
# task's JSON and the rest stay unread — 50 rows of six tables otherwise.
ROW_FIELDS = (
    "task__process",
    "case__status",
    "case__current_proposal",
    "case__member__name",
    "case__member__key_groups",
    "case__member__last_contact_date",
    "organisation__name",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "node",
    "role",
    "state",
    "due_at",
    "finished_at",
)
QUEUES: dict[str, tuple[Any, Any]] = {
    "inbox": (selectors.task_inbox_for_user, _("我的待办")),
    "queue": (selectors.task_group_queue_for_user, _("待认领")),
    "approvals": (selectors.task_approval_queue_for_user, _("审批队列")),
    "archive": (selectors.task_archive_for_user, _("已办")),
}


def filtered(qs: QuerySet[Any], params: Any) -> QuerySet[Any]:
    """The page's filters on a bare TaskDue queryset (no row annotations needed)."""
    stage = params.get("stage", "")
    if stage in CaseStatus.values:
        qs = qs.filter(case__status=stage)
    if params.get("overdue"):
        qs = qs.filter(due_at__lt=timezone.now(), state__in=OPEN_STATES)
    try:
        group = int(params.get("group") or 0)
    except ValueError:
        group = 0
    if group in KeyGroup.values:
        qs = qs.annotate(in_group=F("case__member__key_groups").bitand(group)).filter(
            in_group__gt=0
        )
    query = (params.get("q") or "").strip()
    if query:
        qs = qs.filter(case__member__name__contains=query[:50])
    return qs


class QueuePaginator(Paginator):
    """Counts the bare TaskDue filter, not the display rows (the rows' joins to the flow task,
    case and member would make COUNT(*) read them all), and stops counting at COUNT_CAP: a
    50,000-task queue shows "10000+" and its first 200 pages, as search engines do; sorting
    and filters reach the rest."""

    def __init__(self, rows: QuerySet[Any], per_page: int, bare: QuerySet[Any]) -> None:
        super().__init__(rows, per_page)
        self.bare = bare

    @cached_property
    def count(self) -> int:
        return int(self.bare.order_by()[: COUNT_CAP + 1].count())

    cap = COUNT_CAP

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


class QueueView(LoginRequiredMixin, View):
    kind = "inbox"

    def get(self, request: HttpRequest) -> HttpResponse:
        selector, title = QUEUES[self.kind]
        sort = request.GET.get("sort", "")
        bare = filtered(selector(user=request.user, rows=False), request.GET)
        if sort in SORTS:
            bare = bare.order_by(*SORTS[sort])
        rows = selectors.task_rows(bare).only(*ROW_FIELDS)
        page = QueuePaginator(rows, PAGE_SIZE, bare).get_page(request.GET.get("page"))
        query = request.GET.copy()
        for key in ("page", "sort"):
            query.pop(key, None)
        columns = [
            {
                "key": key,
                "label": label,
                "sort": f"-{key}" if sort == key else key,
                "state": "ascending" if sort == key else "descending" if sort == f"-{key}" else "",
            }
            for key, label in COLUMNS
        ]
        return render(
            request,
            "web/queues/queue.html",
            {
                "kind": self.kind,
                "title": title,
                "page": page,
                "rows_html": render_rows(page, request=request, kind=self.kind),
                "columns": columns,
                "query": query.urlencode(),
                "sort": sort,
                "stages": CaseStatus.choices,
                "groups": KeyGroup.choices,
                "params": request.GET,
                "queues": [(k, t) for k, (_s, t) in QUEUES.items()],
            },
        )


def _back(request: HttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("queues:index")
    return HttpResponseRedirect(target)


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(
        request, "web/queues/refused.html", {"message": exc.message}, status=exc.http_status
    )


class TaskActionView(LoginRequiredMixin, View):
    action = "claim"

    def post(self, request: HttpRequest, task_id: int) -> HttpResponse:
        user: Any = request.user
        try:
            if self.action == "claim":
                services.task_claim(task_id=task_id, user=user)
                messages.success(request, _("已认领。"))
            elif self.action == "release":
                services.task_release(task_id=task_id, user=user)
                messages.success(request, _("已退回队列。"))
            else:
                target = (
                    get_user_model()
                    ._default_manager.filter(username=request.POST.get("to", "").strip())
                    .first()
                )
                if target is None:
                    raise DomainError(_("接收人不存在。"))
                services.task_reassign(
                    task_id=task_id, actor=user, to=target, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("已转办。"))
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            return _refused(request, exc)
        return _back(request)


class BulkReassignForm(forms.Form):
    absent = forms.CharField(label=_("请假/缺岗人员（用户名）"), max_length=150)
    to = forms.CharField(label=_("接收人（用户名）"), max_length=150)
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}))


class BulkReassignView(LoginRequiredMixin, View):
    template = "web/queues/bulk_reassign.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template, {"form": BulkReassignForm()})

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = BulkReassignForm(request.POST)
        if not form.is_valid():
            return render(request, self.template, {"form": form}, status=400)
        users = get_user_model()._default_manager
        absent = users.filter(username=form.cleaned_data["absent"].strip()).first()
        to = users.filter(username=form.cleaned_data["to"].strip()).first()
        try:
            if absent is None or to is None:
                raise DomainError(_("人员不存在。"))
            moved = services.tasks_bulk_reassign(
                actor=request.user,
                absent=absent,
                to=to,
                reason=form.cleaned_data["reason"],
            )
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            return render(request, self.template, {"form": form}, status=exc.http_status)
        messages.success(request, _("已转办 %(n)s 项任务。") % {"n": len(moved)})
        return HttpResponseRedirect(reverse("queues:index"))
