"""Going-abroad and mobile-member screens (measures 2 and 8): the ledgers, a going-abroad report,
the 流动党员活动证 with its pre-departure talk, reports, renewal and return."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from casework.errors import DomainError
from casework.models import MemberStatus, Organisation
from casework.selectors.prevention import (
    abroad_get_for_user,
    abroad_list_for_user,
    mobile_get_for_user,
    mobile_list_for_user,
    staff_of,
)
from casework.services.ledgers import (
    TalkData,
    abroad_record_create,
    abroad_return_record,
    mobile_certificate_renew,
    mobile_certificate_return,
    mobile_record_create,
    mobile_report_record,
)
from web.prevention.common import (
    domain_message,
    forbidden,
    may_write,
    organisation_or_404,
    refused,
    scoped,
)
from web.prevention.ledger_forms import AbroadForm, DayForm, MobileForm, RenewForm
from web.typing import AuthedRequest


def _members(organisation: Organisation) -> Any:
    return organisation.members.filter(status=MemberStatus.NORMAL).order_by("name", "pk")


class AbroadListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        current = request.GET.get("current") == "1"
        records = abroad_list_for_user(user=request.user, current_only=current)
        page = Paginator(records, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "web/prevention/abroad.html",
            {"page": page, "current": current, "today": timezone.localdate()},
        )


class AbroadCreateView(LoginRequiredMixin, View):
    def _render(
        self, request: HttpRequest, organisation: Organisation, form: AbroadForm, status: int
    ) -> HttpResponse:
        context = {"organisation": organisation, "form": form}
        return render(request, "web/prevention/abroad_form.html", context, status=status)

    def get(self, request: HttpRequest, org_pk: int) -> HttpResponse:
        organisation = organisation_or_404(request, org_pk)
        form = AbroadForm(members=_members(organisation), initial={"left_on": timezone.localdate()})
        return self._render(request, organisation, form, 200)

    def post(self, request: AuthedRequest, org_pk: int) -> HttpResponse:
        organisation = organisation_or_404(request, org_pk)
        if not may_write(request, organisation):
            return forbidden(request)
        form = AbroadForm(request.POST, members=_members(organisation))
        if form.is_valid():
            try:
                abroad_record_create(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("已登记出国（境）报告。"))
                return HttpResponseRedirect(reverse("prevention:abroad"))
        return self._render(request, organisation, form, 400)


class AbroadReturnView(LoginRequiredMixin, View):
    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        record = scoped(abroad_get_for_user, request, pk)
        if not may_write(request, record.member.organisation):
            return forbidden(request)
        form = DayForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写回国日期。"))
        else:
            try:
                abroad_return_record(
                    record=record,
                    returned_on=form.cleaned_data["day"],
                    actor=request.user,
                )
            except DomainError as exc:
                domain_message(request, exc)
            else:
                messages.success(request, _("已登记回国。"))
        return HttpResponseRedirect(reverse("prevention:abroad"))


class MobileListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        active = request.GET.get("all") != "1"
        records = mobile_list_for_user(user=request.user, active_only=active)
        page = Paginator(records, 50).get_page(request.GET.get("page"))
        context = {"page": page, "active": active, "today": timezone.localdate()}
        return render(request, "web/prevention/mobile.html", context)


class MobileCreateView(LoginRequiredMixin, View):
    """Issue a certificate; a departure of six months or more needs the pre-departure talk,
    recorded in the same form."""

    def _form(self, organisation: Organisation, data: Any = None) -> MobileForm:
        today = timezone.localdate()
        return MobileForm(
            data,
            members=_members(organisation),
            staff=staff_of(organisation),
            initial={"start_on": today, "talk_on": today, "expected_months": 6},
        )

    def _render(
        self, request: HttpRequest, organisation: Organisation, form: MobileForm, status: int
    ) -> HttpResponse:
        context = {"organisation": organisation, "form": form}
        return render(request, "web/prevention/mobile_form.html", context, status=status)

    def get(self, request: HttpRequest, org_pk: int) -> HttpResponse:
        organisation = organisation_or_404(request, org_pk)
        return self._render(request, organisation, self._form(organisation), 200)

    def post(self, request: AuthedRequest, org_pk: int) -> HttpResponse:
        organisation = organisation_or_404(request, org_pk)
        if not may_write(request, organisation):
            return forbidden(request)
        form = self._form(organisation, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            talk = None
            if data["talker"] is not None:
                talk = TalkData(
                    talked_on=data["talk_on"], talker=data["talker"], content=data["talk_content"]
                )
            try:
                record = mobile_record_create(
                    member=data["member"],
                    certificate_no=data["certificate_no"],
                    destination=data["destination"],
                    start_on=data["start_on"],
                    expected_months=data["expected_months"],
                    valid_until=data["valid_until"],
                    talk=talk,
                    actor=request.user,
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("已办理流动党员活动证。"))
                return HttpResponseRedirect(reverse("prevention:mobile_detail", args=[record.pk]))
        return self._render(request, organisation, form, 400)


class MobileDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        record = scoped(mobile_get_for_user, request, pk)
        today = timezone.localdate()
        context = {
            "record": record,
            "talks": record.departure_talks.select_related("talker"),
            "may_write": may_write(request, record.member.organisation),
            "report_form": DayForm(initial={"day": today}, auto_id="report_%s"),
            "return_form": DayForm(initial={"day": today}, auto_id="return_%s"),
            "renew_form": RenewForm(initial={"renewed_on": today}),
            "today": today,
        }
        return render(request, "web/prevention/mobile_detail.html", context)


class MobileActionView(LoginRequiredMixin, View):
    """POST a six-monthly report, a renewal or the returned certificate."""

    action = "report"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        record = scoped(mobile_get_for_user, request, pk)
        if not may_write(request, record.member.organisation):
            return forbidden(request)
        back = HttpResponseRedirect(reverse("prevention:mobile_detail", args=[pk]))
        form: Any = RenewForm(request.POST) if self.action == "renew" else DayForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请检查填写的日期。"))
            return back
        actor: Any = request.user
        try:
            if self.action == "renew":
                mobile_certificate_renew(record=record, actor=actor, **form.cleaned_data)
                messages.success(request, _("已换发活动证。"))
            elif self.action == "return":
                day = form.cleaned_data["day"]
                mobile_certificate_return(record=record, returned_on=day, actor=actor)
                messages.success(request, _("已登记活动证交回。"))
            else:
                day = form.cleaned_data["day"]
                mobile_report_record(record=record, reported_on=day, actor=actor)
                messages.success(request, _("已登记报告。"))
        except DomainError as exc:
            response = refused(request, exc)
            if response is not None:
                return response
            domain_message(request, exc)
        return back
