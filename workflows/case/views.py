"""Task views of the case flow: one form per human step, each calling one casework service
through `workflows.services.task_complete` (lock, race check, documents, next task).

Domain errors come back as a message on the form (Conflict → HTTP 409), never a 500; a task
outside the user's scope is a 404.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from casework.errors import Conflict, DomainError, NotFound, PermissionDenied
from casework.models import Case, CaseStatus
from casework.services import cases as svc
from casework.services import inquiries as inq
from casework.services.ledgers import contact_attempt_record
from workflows import services
from workflows.case import forms as f
from workflows.selectors import task_get_for_user

Perform = Callable[[Case], Case | None]


class CaseStepView(LoginRequiredMixin, FormView, abc.ABC):
    template_name = "workflows/task.html"
    title: Any = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            self.row = task_get_for_user(user=request.user, task_id=kwargs["task_pk"])
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        if self.row.process_id != kwargs["process_pk"]:  # type: ignore[attr-defined]
            raise Http404
        self.case = self.row.case
        return super().dispatch(request, *args, **kwargs)  # type: ignore[return-value]

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        names = self.form_class.__init__.__code__.co_varnames  # type: ignore[misc]
        if "case" in names:
            kwargs["case"] = self.case
        if "user" in names:
            kwargs["user"] = self.request.user
        return kwargs

    @property
    def is_holder(self) -> bool:
        return self.row.owner_id == self.request.user.pk and self.row.state == "assigned"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx.update(row=self.row, case=self.case, title=self.title, is_holder=self.is_holder)
        return ctx

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form()
        if not form.is_valid():
            return self.form_invalid(form)
        try:
            response = self.act(form.cleaned_data)
        except Conflict as exc:
            form.add_error(None, str(exc.message))
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except PermissionDenied as exc:
            form.add_error(None, str(exc.message))
            return self.render_to_response(self.get_context_data(form=form), status=403)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return response

    # ---- what a step does --------------------------------------------------------------

    def act(self, data: dict[str, Any]) -> HttpResponse:
        self.apply(data)
        return self.done()

    def apply(self, data: dict[str, Any]) -> str:
        """Do the step with the form's cleaned data, without HTTP (the API calls this too):
        "completed" when the task was completed, "recorded" when it stays open."""
        perform, route, step = self.perform(data)
        self.complete(perform, route=route, step=step)
        return "completed"

    @abc.abstractmethod
    def perform(self, data: dict[str, Any]) -> tuple[Perform, str | None, str | None]:
        """The casework service call of this step, its route hint and its step name."""

    def complete(
        self, perform: Perform, *, route: str | None = None, step: str | None = None
    ) -> None:
        def run(case: Case) -> Case:
            return perform(case) or Case.objects.select_related("member", "organisation").get(
                pk=case.pk
            )

        services.task_complete(
            task_id=self.row.task_id,
            process_id=self.row.process_id,  # type: ignore[attr-defined]
            user=self.request.user,  # type: ignore[arg-type]
            perform=run,
            route=route,
            step=step,
        )

    def done(self) -> HttpResponse:
        messages.success(self.request, _("任务已办结。"))
        return HttpResponseRedirect(reverse("workflows:inbox"))


def _keep(case: Case) -> Case:
    return case


def _outreach_started(case: Case, user: Any) -> Case:
    """The officer's first outreach action moves a registered case into outreach."""
    if case.status == CaseStatus.REGISTERED:
        return svc.case_start_outreach(case=case, actor=user)
    return case


class OutreachView(CaseStepView):
    form_class = f.OutreachForm
    title = _("联系查找")

    def act(self, data: dict[str, Any]) -> HttpResponse:
        if self.apply(data) == "recorded":
            messages.success(self.request, _("已记录联系情况。"))
            return HttpResponseRedirect(self.request.path)
        return self.done()

    def apply(self, data: dict[str, Any]) -> str:
        if data["action"] == "record":
            if not self.is_holder:
                raise Conflict(_("请先认领该任务再办理。"), code="not_claimed")
            _outreach_started(self.case, self.request.user)
            contact_attempt_record(
                member=self.case.member,
                actor=self.request.user,  # type: ignore[arg-type]
                channel=data["channel"],
                outcome=data["outcome"],
                notes=data.get("notes") or "",
                case=self.case,
            )
            return "recorded"
        return super().apply(data)

    def perform(self, data: dict[str, Any]) -> tuple[Perform, str | None, str | None]:
        user: Any = self.request.user
        if data["action"] == "located":
            return _keep, "talk", "none"
        return (
            lambda case: svc.case_finish_outreach(
                case=_outreach_started(case, user), actor=user, comment=data["notes"]
            ),  # type: ignore[arg-type]
            None,
            None,
        )


class TalkView(CaseStepView):
    form_class = f.TalkForm
    title = _("谈话记录")

    def perform(self, data: dict[str, Any]) -> tuple[Perform, str | None, str | None]:
        def run(case: Case) -> Case:
            return svc.case_mark_located(
                case=case,
                actor=self.request.user,  # type: ignore[arg-type]
                talkers=(data["talker1"], data["talker2"]),
                held_on=data["held_on"],
                content=data["content"],
                place=data["place"],
                recorder=data["recorder"],
            )

        return run, None, None


class RequestInquiriesView(CaseStepView):
    form_class = f.RequestInquiriesForm
    title = _("发起部门协查")

    def perform(self, data: dict[str, Any]) -> tuple[Perform, str | None, str | None]:
        user: Any = self.request.user

        def run(case: Case) -> None:
            # The organisation department requests and signs: each signature numbers the
            # department's letter (integrations), sent after commit.
            for inquiry in inq.inquiry_request(
                case=case, departments=list(data["departments"]), actor=user
            ):
                if inquiry.status == "draft":
                    inq.inquiry_sign(inquiry=inquiry, actor=user)

        return run, None, None  # type: ignore[return-value]


class ConcludeSearchView(CaseStepView):
    form_class = f.ConcludeSearchForm
    title = _("查找结论")

    def perform(self, data: dict[str, Any]) -> tuple[Perform, str | None, str | None]:
        if data["conclusion"] == "located":
            return _keep, "talk", "none"
        user: Any = self.request.user
        return (
            lambda case: svc.case_mark_not_located(case=case, actor=user, comment=data["comment"]),  # type: ignore[arg-type]
            None,
            None,
        )


class AssessCluesView(CaseStepView):
    form_class = f.AssessCluesForm
    title = _("研判线索")

    def perform(self, data: dict[str, Any]) -> tuple[Perform, str | None, str | None]:
        user: Any = self.request.user
        confirmed = data["result"] == "confirmed"

        def run(case: Case) -> None:
            inq.inquiry_assess_clue(
                inquiry=data["inquiry"], actor=user, confirmed=confirmed, notes=data["notes"]
            )

        return run, "talk" if confirmed else None, "none"  # type: ignore[return-value]


class AssessCauseView(CaseStepView):
    form_class = f.AssessCauseForm
    title = _("失联原因认定")

    def perform(self, data: dict[str, Any]) -> tuple[Perform, str | None, str | None]:
        user: Any = self.request.user
        return (
            lambda case: svc.case_assess_cause(
                case=case, actor=user, cause=data["cause"], notes=data["notes"]
            ),  # type: ignore[arg-type]
            None,
            None,
        )


class ProposeView(CaseStepView):
    form_class = f.ProposeForm
    title = _("处置提议")

    def perform(self, data: dict[str, Any]) -> tuple[Perform, str | None, str | None]:
        def run(case: Case) -> Case:
            return svc.case_propose(
                case=case,
                actor=self.request.user,  # type: ignore[arg-type]
                kind=data["kind"],
                grounds=list(data["grounds"]),
                reasons=data["reasons"],
                correction_months=data.get("correction_months"),
            )

        return run, None, None


def _send_back(user: Any, comment: str) -> Perform:
    return lambda case: svc.case_send_back(case=case, actor=user, comment=comment)


class PreReviewView(CaseStepView):
    form_class = f.ReviewForm
    title = _("预审")

    def perform(self, data: dict[str, Any]) -> tuple[Perform, str | None, str | None]:
        user: Any = self.request.user
        if data["decision"] == "send_back":
            return _send_back(user, data["comment"]), None, "send_back"
        return (
            (lambda case: svc.case_pre_review(case=case, actor=user, comment=data["comment"])),
            None,
            None,
        )  # type: ignore[arg-type]


class ApprovalView(CaseStepView):
    form_class = f.ReviewForm
    title = _("党委审批")

    def perform(self, data: dict[str, Any]) -> tuple[Perform, str | None, str | None]:
        user: Any = self.request.user
        if data["decision"] == "send_back":
            return _send_back(user, data["comment"]), None, "send_back"
        return (
            (lambda case: svc.case_approve(case=case, actor=user, comment=data["comment"])),
            None,
            None,
        )  # type: ignore[arg-type]


class NoticeView(CaseStepView):
    form_class = f.NoticeForm
    title = _("告知党员本人")

    def perform(self, data: dict[str, Any]) -> tuple[Perform, str | None, str | None]:
        user: Any = self.request.user
        return (
            (
                lambda case: svc.case_notify_member(
                    case=case, actor=user, notified_on=data["notified_on"]
                )
            ),
            None,
            None,
        )  # type: ignore[arg-type]


class DefenceView(CaseStepView):
    form_class = f.DefenceForm
    title = _("申辩")

    def perform(self, data: dict[str, Any]) -> tuple[Perform, str | None, str | None]:
        user: Any = self.request.user
        return (
            (
                lambda case: svc.case_close_defence(
                    case=case, actor=user, defence_text=data["defence_text"]
                )
            ),
            None,
            None,
        )  # type: ignore[arg-type]


class MeetingView(CaseStepView):
    form_class = f.MeetingForm
    title = _("支部大会表决")

    def perform(self, data: dict[str, Any]) -> tuple[Perform, str | None, str | None]:
        user: Any = self.request.user
        if data["decision"] == "send_back":
            return _send_back(user, data["comment"]), None, "send_back"

        def run(case: Case) -> Case:
            return svc.case_record_meeting(
                case=case,
                actor=user,  # type: ignore[arg-type]
                held_on=data["held_on"],
                place=data["place"],
                voting_members=data["voting_members"],
                present=data["present"],
                votes_for=data["votes_for"],
                votes_against=data["votes_against"],
                abstentions=data["abstentions"],
            )

        return run, None, None


class CloseView(CaseStepView):
    form_class = f.CloseForm
    title = _("决定生效与归档")

    def perform(self, data: dict[str, Any]) -> tuple[Perform, str | None, str | None]:
        user: Any = self.request.user
        return (
            (lambda case: svc.case_close(case=case, actor=user, comment=data["comment"])),
            None,
            None,
        )  # type: ignore[arg-type]


class CorrectionReviewView(CaseStepView):
    form_class = f.CorrectionReviewForm
    title = _("限期改正期满复核")

    def perform(self, data: dict[str, Any]) -> tuple[Perform, str | None, str | None]:
        user: Any = self.request.user
        return (
            lambda case: svc.case_review_correction(
                case=case,
                actor=user,
                corrected=data["corrected"],
                notes=data["notes"],  # type: ignore[arg-type]
            ),
            None,
            None,
        )


class RestorationView(CaseStepView):
    form_class = f.RestorationForm
    title = _("恢复党籍申请")

    def perform(self, data: dict[str, Any]) -> tuple[Perform, str | None, str | None]:
        user: Any = self.request.user
        return (
            lambda case: svc.case_apply_for_restoration(
                case=case,
                actor=user,
                applied_on=data["applied_on"],
                application=data["application"],  # type: ignore[arg-type]
            ),
            None,
            None,
        )


__all__ = ["CaseStepView", "forms"]
