"""A branch's ledger page (measure 2) and its keeper and handovers.

The page gathers what the branch keeps: the keeper (and their absence), handovers, going-abroad
and mobile members, roll calls, training, letters, notices and the contact card, with links to
record each. Every write calls one casework/documents service."""

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
from casework.models import HandoverCheck, LedgerKind, Organisation
from casework.selectors.organisations import organisation_list_for_user
from casework.selectors.prevention import (
    abroad_list_for_user,
    contact_card_for,
    handover_get_for_user,
    handover_list_for_user,
    keeper_status,
    letter_rounds_for_user,
    mobile_list_for_user,
    notice_list_for_user,
    roll_call_list_for_user,
    staff_of,
    training_list_for_user,
)
from casework.services.ledgers import (
    ledger_handover_confirm,
    ledger_handover_start,
    ledger_keeper_assign,
)
from documents.prevention import handover_record_issue
from web.prevention.common import (
    document_pdf,
    domain_message,
    forbidden,
    may_write,
    organisation_or_404,
    refused,
    scoped,
)
from web.prevention.ledger_forms import HandoverForm, KeeperForm
from web.typing import AuthedRequest

RECENT = 10


class BranchListView(LoginRequiredMixin, View):
    """The organisations of the user's scope, each linking to its ledger page."""

    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(organisation_list_for_user(user=request.user), 50).get_page(
            request.GET.get("page")
        )
        return render(request, "web/prevention/branches.html", {"page": page})


def _in(queryset: Any, organisation: Organisation, field: str = "organisation__path") -> Any:
    return queryset.filter(**{f"{field}__startswith": organisation.path})[:RECENT]


class BranchView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, org_pk: int) -> HttpResponse:
        organisation = organisation_or_404(request, org_pk)
        user = request.user
        member_path = "member__organisation__path"
        context = {
            "organisation": organisation,
            "keeper": keeper_status(organisation),
            "may_write": may_write(request, organisation),
            "handovers": _in(handover_list_for_user(user=user), organisation),
            "abroad": _in(
                abroad_list_for_user(user=user, current_only=True), organisation, member_path
            ),
            "mobile": _in(
                mobile_list_for_user(user=user, active_only=True), organisation, member_path
            ),
            "roll_calls": _in(roll_call_list_for_user(user=user), organisation),
            "trainings": _in(training_list_for_user(user=user), organisation, member_path),
            "letter_rounds": _in(letter_rounds_for_user(user=user), organisation),
            "notices": _in(notice_list_for_user(user=user), organisation),
            "card": contact_card_for(organisation),
            "today": timezone.localdate(),
        }
        return render(request, "web/prevention/branch.html", context)


class KeeperView(LoginRequiredMixin, View):
    def _form(
        self, request: HttpRequest, organisation: Organisation, data: Any = None
    ) -> KeeperForm:
        return KeeperForm(
            data, staff=staff_of(organisation), initial={"since": timezone.localdate()}
        )

    def get(self, request: HttpRequest, org_pk: int) -> HttpResponse:
        organisation = organisation_or_404(request, org_pk)
        context = {"organisation": organisation, "form": self._form(request, organisation)}
        return render(request, "web/prevention/keeper_form.html", context)

    def post(self, request: AuthedRequest, org_pk: int) -> HttpResponse:
        organisation = organisation_or_404(request, org_pk)
        if not may_write(request, organisation):
            return forbidden(request)
        form = self._form(request, organisation, request.POST)
        if form.is_valid():
            try:
                ledger_keeper_assign(
                    organisation=organisation,
                    keeper=form.cleaned_data["keeper"],
                    since=form.cleaned_data["since"],
                    actor=request.user,
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("已指定台账管理员。"))
                return HttpResponseRedirect(reverse("prevention:branch", args=[organisation.pk]))
        context = {"organisation": organisation, "form": form}
        return render(request, "web/prevention/keeper_form.html", context, status=400)


class HandoverCreateView(LoginRequiredMixin, View):
    def _form(self, organisation: Organisation, data: Any = None) -> HandoverForm:
        return HandoverForm(
            data,
            staff=staff_of(organisation),
            initial={
                "handed_over_on": timezone.localdate(),
                "ledgers": list(LedgerKind.values),
            },
        )

    def _render(
        self, request: HttpRequest, organisation: Organisation, form: HandoverForm, status: int
    ) -> HttpResponse:
        context = {
            "organisation": organisation,
            "form": form,
            "keeper": keeper_status(organisation),
        }
        return render(request, "web/prevention/handover_form.html", context, status=status)

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
            try:
                handover = ledger_handover_start(
                    organisation=organisation,
                    to_user=data["to_user"],
                    handed_over_on=data["handed_over_on"],
                    items=data["items"],
                    ledgers=list(data["ledgers"]),
                    checked=list(data["checked"]),
                    witness=data["witness"],
                    actor=request.user,
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("已记录台账交接，待交接双方确认。"))
                return HttpResponseRedirect(reverse("prevention:handover", args=[handover.pk]))
        return self._render(request, organisation, form, 400)


class HandoverView(LoginRequiredMixin, View):
    """A handover: its content, both confirmations, the record document."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        handover = scoped(handover_get_for_user, request, pk)
        ledgers = dict(LedgerKind.choices)
        checks = dict(HandoverCheck.choices)
        context = {
            "handover": handover,
            "ledgers": [ledgers.get(kind, kind) for kind in handover.ledgers],
            "checks": [checks.get(check, check) for check in handover.checked],
            "unchecked": [
                label for value, label in HandoverCheck.choices if value not in handover.checked
            ],
            "may_write": may_write(request, handover.organisation),
            "is_giver": request.user.pk == handover.from_user_id,
            "is_receiver": request.user.pk == handover.to_user_id,
        }
        return render(request, "web/prevention/handover.html", context)


class HandoverConfirmView(LoginRequiredMixin, View):
    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        handover = scoped(handover_get_for_user, request, pk)
        try:
            handover = ledger_handover_confirm(handover=handover, actor=request.user)
        except DomainError as exc:
            return refused(request, exc) or _refused_here(request, pk, exc)
        messages.success(
            request,
            _("交接双方均已确认，台账管理员已变更。")
            if handover.is_complete
            else _("已确认交接。"),
        )
        return HttpResponseRedirect(reverse("prevention:handover", args=[pk]))


def _refused_here(request: HttpRequest, pk: int, exc: DomainError) -> HttpResponse:
    """Back to the handover page with the refusal as a message."""
    domain_message(request, exc)
    return HttpResponseRedirect(reverse("prevention:handover", args=[pk]))


class HandoverRecordView(LoginRequiredMixin, View):
    """GET downloads the record (when issued); POST issues it."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        handover = scoped(handover_get_for_user, request, pk)
        return document_pdf(request, handover.record_document_id)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        handover = scoped(handover_get_for_user, request, pk)
        if not may_write(request, handover.organisation):
            return forbidden(request)
        try:
            handover_record_issue(handover=handover, actor=request.user)
        except DomainError as exc:
            return refused(request, exc) or _refused_here(request, pk, exc)
        messages.success(request, _("已生成交接记录。"))
        return HttpResponseRedirect(reverse("prevention:handover", args=[pk]))
