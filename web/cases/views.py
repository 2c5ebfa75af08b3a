"""The case list and the case page (member summary, history, documents, send-back)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from casework.access import has_role_over, may_reveal_member
from casework.errors import DomainError, NotFound
from casework.models import Case, CaseStatus, InquiryStatus
from casework.models.cases import (
    OPEN_BEFORE_DECISION,
    SEND_BACK_FROM,
    WithdrawReason,
    may_review,
    may_withdraw,
)
from casework.selectors.case_page import (
    approver_panel,
    case_history,
    case_inquiries,
    member_summary,
)
from casework.selectors.cases import CaseFilter, case_get_for_user, case_search_for_user
from casework.selectors.organisations import organisation_list_for_user
from casework.services.cases import (
    case_add_approver,
    case_remove_approver,
    case_send_back,
    case_withdraw,
)
from casework.services.inquiries import INQUIRY_STAFF, inquiry_sign
from documents.selectors import document_list_for_user
from web.cases.appeals import appeal_context
from web.cases.current_task import current_tasks
from web.typing import AuthedRequest, choice_field

PAGE_SIZE = 50
# The filter lists organisations in tree order; deeper ones are reached from the dashboard.
MAX_ORG_CHOICES = 300


class CaseFilterForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("案件环节"), required=False, choices=[("", _("全部在办")), *CaseStatus.choices]
    )
    org = forms.TypedChoiceField(label=_("党组织"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("仅看逾期"), required=False)

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "org").choices = [("", _("全部")), *organisations]


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label=_("退回意见"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class WithdrawForm(forms.Form):
    reason_code = forms.ChoiceField(label=_("撤销原因"), choices=WithdrawReason.choices)
    reason = forms.CharField(
        label=_("撤销说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


def _case_or_404(request: HttpRequest, pk: int) -> Case:
    try:
        return case_get_for_user(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc


class CaseListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        organisations = [
            (o.pk, ("　" * max(o.depth - 1, 0)) + o.name)
            for o in organisation_list_for_user(user=request.user).only("pk", "name", "depth")[
                :MAX_ORG_CHOICES
            ]
        ]
        form = CaseFilterForm(request.GET or None, organisations=organisations)
        filters = CaseFilter(open=True)  # open cases, unless a stage is chosen
        if form.is_bound and form.is_valid():
            stage = form.cleaned_data["stage"] or ""
            filters = CaseFilter(
                status=stage,
                organisation_id=form.cleaned_data["org"],
                overdue=form.cleaned_data["overdue"],
                open=None if stage else True,
            )
        cases = case_search_for_user(user=request.user, filters=filters)
        page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        chosen = form.cleaned_data.get("org") if form.is_bound and form.is_valid() else None
        return render(
            request,
            "web/cases/list.html",
            {
                "form": form,
                "page": page,
                "query": query.urlencode(),
                "organisations": organisations,
                "chosen_org": chosen,
                "stages": CaseStatus.choices,
                "chosen_stage": request.GET.get("stage", ""),
            },
        )


def case_page_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    documents = list(
        document_list_for_user(user=request.user)
        .filter(case_id=case.pk)
        .only("pk", "kind", "number", "status", "issued_on", "sha256", "issuer__name", "replaces")
    )
    inquiries = list(case_inquiries(case=case))
    tasks = current_tasks(user=request.user, case=case)
    return {
        "case": case,
        "member": member_summary(case.member),
        "history": case_history(case=case),
        "inquiries": inquiries,
        "may_sign": any(i.status == InquiryStatus.DRAFT for i in inquiries)
        and has_role_over(request.user, case.organisation, INQUIRY_STAFF),
        "documents": documents,
        "replaced_ids": {d.replaces_id for d in documents if d.replaces_id},
        "tasks": tasks,
        "can_call": may_reveal_member(request.user, case.member),
        "call_task": next(
            (
                t["task_id"]
                for t in tasks
                if t["node"] == "outreach" and t["owner_id"] == request.user.pk
            ),
            None,
        ),
        "may_send_back": case.status in SEND_BACK_FROM,
        "send_back_form": extra.pop("send_back_form", None) or SendBackForm(),
        "may_withdraw": case.status in OPEN_BEFORE_DECISION and may_withdraw(case, request.user),
        "withdraw_form": extra.pop("withdraw_form", None) or WithdrawForm(),
        "approvers": approver_panel(case=case) if may_review(case, request.user) else None,
        **appeal_context(request, case, extra.pop("appeal_form", None)),
        **extra,
    }


class CaseDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = _case_or_404(request, pk)
        return render(request, "web/cases/detail.html", case_page_context(request, case))


class CaseInquirySignView(LoginRequiredMixin, View):
    """The organisation department signs a drafted inquiry letter from the case page."""

    def post(self, request: AuthedRequest, pk: int, inquiry_pk: int) -> HttpResponse:
        case = _case_or_404(request, pk)
        inquiry = case_inquiries(case=case).filter(pk=inquiry_pk).first()
        if inquiry is None:
            raise Http404
        try:
            inquiry_sign(inquiry=inquiry, actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            context = case_page_context(request, case)
            return render(request, "web/cases/detail.html", context, status=exc.http_status)
        messages.success(
            request, _("已签发（%(department)s）。") % {"department": inquiry.department.name}
        )
        return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))


class CaseSendBackView(LoginRequiredMixin, View):
    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        case = _case_or_404(request, pk)
        form = SendBackForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                case_send_back(
                    case=case,
                    actor=request.user,
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.http_status
            else:
                messages.success(request, _("已退回上一环节。"))
                return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))
        context = case_page_context(request, case, send_back_form=form)
        return render(request, "web/cases/detail.html", context, status=status)


class CaseWithdrawView(LoginRequiredMixin, View):
    """Withdraw an open case before a decision (opened in error, deceased, transferred out);
    the service cancels the case's open tasks in the same transaction."""

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        case = _case_or_404(request, pk)
        form = WithdrawForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                case_withdraw(
                    case=case,
                    actor=request.user,
                    reason_code=form.cleaned_data["reason_code"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.http_status
            else:
                messages.success(request, _("案件已撤销，待办任务已取消。"))
                return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))
        case.refresh_from_db()
        context = case_page_context(request, case, withdraw_form=form)
        return render(request, "web/cases/detail.html", context, status=status)


class CaseApproversView(LoginRequiredMixin, View):
    """Name or un-name an approver while the approval is pending (reviewers of the case)."""

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        case = _case_or_404(request, pk)
        panel = approver_panel(case=case)
        action, raw = request.POST.get("action"), request.POST.get("user", "")
        user = panel.person(int(raw)) if panel and raw.isdigit() else None
        if action not in ("add", "remove") or user is None:
            messages.error(request, _("请选择审批组织的审批人。"))
            return render(
                request, "web/cases/detail.html", case_page_context(request, case), status=400
            )
        change = case_add_approver if action == "add" else case_remove_approver
        try:
            change(case=case, actor=request.user, approver=user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            case.refresh_from_db()
            context = case_page_context(request, case)
            return render(request, "web/cases/detail.html", context, status=exc.http_status)
        messages.success(request, _("审批人名单已更新。"))
        return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))
