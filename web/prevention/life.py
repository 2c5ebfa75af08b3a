"""Organisational life and education screens (measures 7 and 8): roll calls with who answered,
三会一课 across branches, training records, the branch's letters to outgoing members."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from casework.errors import DomainError, NotFound
from casework.models import MeetingKind, MemberStatus, Organisation
from casework.selectors.organisations import organisation_get_for_user
from casework.selectors.prevention import (
    letter_rounds_for_user,
    org_life_for_user,
    outgoing_members,
    roll_call_get_for_user,
    roll_call_list_for_user,
    training_list_for_user,
)
from casework.services.education import training_record
from casework.services.ledgers import roll_call_record
from documents.prevention import member_letters_send
from web.prevention.common import (
    document_pdf,
    domain_message,
    forbidden,
    may_write,
    organisation_or_404,
    refused,
    scoped,
)
from web.prevention.ledger_forms import RollCallForm, TrainingForm
from web.typing import AuthedRequest


def _members(organisation: Organisation) -> list[tuple[int, str]]:
    return list(
        organisation.members.filter(status=MemberStatus.NORMAL)
        .order_by("name", "pk")
        .values_list("pk", "name")
    )


def _paged(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, 50).get_page(request.GET.get("page"))


class RollCallListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        page = _paged(request, roll_call_list_for_user(user=request.user))
        return render(request, "web/prevention/roll_calls.html", {"page": page})


class RollCallCreateView(LoginRequiredMixin, View):
    """Every normal member of the branch is called; a tick means they answered."""

    def _render(
        self, request: HttpRequest, organisation: Organisation, form: RollCallForm, status: int
    ) -> HttpResponse:
        context = {"organisation": organisation, "form": form}
        return render(request, "web/prevention/roll_call_form.html", context, status=status)

    def get(self, request: HttpRequest, org_pk: int) -> HttpResponse:
        organisation = organisation_or_404(request, org_pk)
        form = RollCallForm(
            members=_members(organisation), initial={"held_on": timezone.localdate()}
        )
        return self._render(request, organisation, form, 200)

    def post(self, request: AuthedRequest, org_pk: int) -> HttpResponse:
        organisation = organisation_or_404(request, org_pk)
        if not may_write(request, organisation):
            return forbidden(request)
        form = RollCallForm(request.POST, members=_members(organisation))
        if form.is_valid():
            try:
                roll_call = roll_call_record(
                    organisation=organisation,
                    held_on=form.cleaned_data["held_on"],
                    note=form.cleaned_data["note"],
                    answered=form.answered(),
                    actor=request.user,
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("已记录点名；未应答的党员已交包干联系人立即跟进。"))
                return HttpResponseRedirect(reverse("prevention:roll_call", args=[roll_call.pk]))
        return self._render(request, organisation, form, 400)


class RollCallView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        roll_call = scoped(roll_call_get_for_user, request, pk)
        entries = roll_call.entries.select_related("member").order_by("answered", "member__name")
        return render(
            request, "web/prevention/roll_call.html", {"roll_call": roll_call, "entries": entries}
        )


class OrgLifeView(LoginRequiredMixin, View):
    """三会一课 per branch across the user's scope (the county department's view)."""

    def get(self, request: AuthedRequest) -> HttpResponse:
        today = timezone.localdate()
        organisation = None
        if request.GET.get("org"):
            try:
                organisation = organisation_get_for_user(user=request.user, pk=request.GET["org"])
            except NotFound as exc:
                raise Http404 from exc
        branches, limits = org_life_for_user(
            user=request.user, as_of=today, organisation=organisation
        )
        kinds = sorted(limits)
        labels = dict(MeetingKind.choices)
        page = _paged(request, branches)
        rows = []
        for branch in page.object_list:
            cells = []
            for kind in kinds:
                last = getattr(branch, f"last_{kind}")
                cells.append({"last": last, "ok": last is not None and last > limits[kind]})
            rows.append({"branch": branch, "cells": cells, "ok": all(c["ok"] for c in cells)})
        context = {
            "rows": rows,
            "page": page,
            "kinds": [(kind, labels.get(kind, kind)) for kind in kinds],
            "organisation": organisation,
            "today": today,
        }
        return render(request, "web/prevention/org_life.html", context)


class TrainingListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        page = _paged(request, training_list_for_user(user=request.user))
        return render(request, "web/prevention/training.html", {"page": page})


class TrainingCreateView(LoginRequiredMixin, View):
    def _render(
        self, request: HttpRequest, organisation: Organisation, form: TrainingForm, status: int
    ) -> HttpResponse:
        context = {"organisation": organisation, "form": form}
        return render(request, "web/prevention/training_form.html", context, status=status)

    def get(self, request: HttpRequest, org_pk: int) -> HttpResponse:
        organisation = organisation_or_404(request, org_pk)
        form = TrainingForm(
            members=_members(organisation), initial={"trained_on": timezone.localdate()}
        )
        return self._render(request, organisation, form, 200)

    def post(self, request: AuthedRequest, org_pk: int) -> HttpResponse:
        organisation = organisation_or_404(request, org_pk)
        if not may_write(request, organisation):
            return forbidden(request)
        form = TrainingForm(request.POST, members=_members(organisation))
        if form.is_valid():
            data = form.cleaned_data
            try:
                training_record(
                    organisation=organisation,
                    kind=data["kind"],
                    topic=data["topic"],
                    trained_on=data["trained_on"],
                    hours=data["hours"],
                    member_ids=[int(pk) for pk in data["members"]],
                    actor=request.user,
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("已记录教育培训。"))
                return HttpResponseRedirect(reverse("prevention:training"))
        return self._render(request, organisation, form, 400)


class LettersSendView(LoginRequiredMixin, View):
    """The branch's letter to each of its outgoing members (member_letter documents)."""

    def post(self, request: HttpRequest, org_pk: int) -> HttpResponse:
        organisation = organisation_or_404(request, org_pk)
        if not may_write(request, organisation):
            return forbidden(request)
        try:
            letter_round = member_letters_send(organisation=organisation, actor=request.user)
        except DomainError as exc:
            response = refused(request, exc)
            if response is not None:
                return response
            domain_message(request, exc)
            return HttpResponseRedirect(reverse("prevention:branch", args=[organisation.pk]))
        messages.success(request, _("已向%(n)d名外出党员寄发信函。") % {"n": letter_round.letters})
        return HttpResponseRedirect(reverse("prevention:letter_round", args=[letter_round.pk]))


class LetterRoundView(LoginRequiredMixin, View):
    def _round(self, request: HttpRequest, pk: int) -> Any:
        letter_round = letter_rounds_for_user(user=request.user).filter(pk=pk).first()
        if letter_round is None:
            raise Http404
        return letter_round

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from documents.models import Document

        letter_round = self._round(request, pk)
        documents = (
            Document.objects.filter(pk__in=letter_round.document_ids)
            .select_related("member")
            .order_by("pk")
        )
        context = {
            "letter_round": letter_round,
            "documents": documents,
            "outgoing": outgoing_members(letter_round.organisation).count(),
        }
        return render(request, "web/prevention/letter_round.html", context)


class LetterDownloadView(LetterRoundView):
    def get(self, request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:  # type: ignore[override]
        letter_round = self._round(request, pk)
        if document_pk not in letter_round.document_ids:
            raise Http404
        return document_pdf(request, document_pk)
