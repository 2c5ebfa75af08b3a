"""The task page of every human step of the case flow: one generic view.

The step (workflows/case/steps.py) gives the title, the form and what the step does; the view
shows the form and hands its cleaned data to `workflows.services.task_complete` (lock, race
check, the step's one casework service, documents, next task). A refusal comes back as a
message on the form with the domain error's HTTP status (Conflict 409, PermissionDenied 403,
NotFound 404, other refusals 400), never a 500; a task outside the user's scope is a 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from casework.errors import DomainError, NotFound
from workflows import services
from workflows.case.steps import step_named
from workflows.selectors import task_get_for_user


class StepView(LoginRequiredMixin, FormView):
    template_name = "workflows/task.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            self.row = task_get_for_user(user=request.user, task_id=kwargs["task_pk"])
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        step = step_named(self.row.node)
        if step is None or self.row.process_id != kwargs["process_pk"]:  # type: ignore[attr-defined]
            raise Http404
        self.step, self.case = step, self.row.case
        return super().dispatch(request, *args, **kwargs)  # type: ignore[return-value]

    def get_form(self, form_class: Any = None) -> forms.Form:
        data = self.request.POST if self.request.method == "POST" else None
        return self.step.form_for(case=self.case, user=self.request.user, data=data)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        is_holder = self.row.owner_id == self.request.user.pk and self.row.state == "assigned"
        ctx.update(row=self.row, case=self.case, title=self.step.title, is_holder=is_holder)
        return ctx

    def form_valid(self, form: forms.Form) -> HttpResponse:
        try:
            done = services.task_complete(
                task_id=self.row.task_id,
                process_id=self.row.process_id,  # type: ignore[attr-defined]
                user=self.request.user,  # type: ignore[arg-type]
                data=form.cleaned_data,
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            return self.render_to_response(self.get_context_data(form=form), status=exc.http_status)
        if not done.completed:
            messages.success(self.request, str(self.step.stay_message))
            return HttpResponseRedirect(self.request.path)
        messages.success(self.request, _("任务已办结。"))
        return HttpResponseRedirect(reverse("workflows:inbox"))
