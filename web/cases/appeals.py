"""The case page's appeal (申诉) card: receive the member's appeal against the decision in
force (workflows.services.appeal_file, the same path as the API); the organ above decides it
on its task page (the `appeal_review` step), linked from the case's current tasks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from casework.errors import DomainError
from casework.models import Case
from casework.selectors.appeals import appeal_panel
from web.typing import AuthedRequest
from workflows.services import appeal_file


class AppealForm(forms.Form):
    grounds = forms.CharField(
        label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    received_on = forms.DateField(
        label=_("收到申诉日期"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def appeal_context(
    request: HttpRequest, case: Case, form: AppealForm | None = None
) -> dict[str, Any]:
    return {
        "appeal_panel": appeal_panel(case=case, user=request.user),
        "appeal_form": form or AppealForm(),
    }


class CaseAppealView(LoginRequiredMixin, View):
    """Receive the member's appeal: the appeal, its acknowledgement and the review task."""

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        from web.cases.views import _case_or_404, case_page_context

        case = _case_or_404(request, pk)
        form = AppealForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                appeal_file(
                    case=case,
                    actor=request.user,
                    grounds=form.cleaned_data["grounds"],
                    received_on=form.cleaned_data["received_on"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.http_status
            else:
                messages.success(request, _("申诉已受理，已转上级党组织复查。"))
                return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))
        case.refresh_from_db()
        context = case_page_context(request, case, appeal_form=form)
        return render(request, "web/cases/detail.html", context, status=status)
