"""A reachable organisation (measure 4): editing the branch's public contact card, and branch
notices sent to every member through the messaging adapters."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from casework.errors import DomainError
from casework.models import BranchContactCard, Organisation
from casework.selectors.prevention import notice_get_for_user, notice_list_for_user
from casework.services.branch_contact import CardPerson, branch_card_save, branch_notice_create
from web.prevention.common import (
    forbidden,
    may_write,
    organisation_or_404,
    refusal_text,
    scoped,
)
from web.prevention.ledger_forms import CARD_PEOPLE, CardForm, NoticeForm
from web.typing import AuthedRequest


def _initial(card: BranchContactCard | None) -> dict[str, Any]:
    if card is None:
        return {"is_published": True}
    initial: dict[str, Any] = {
        "landline": card.landline,
        "channel_name": card.channel_name,
        "channel_url": card.channel_url,
        "note": card.note,
        "is_published": card.is_published,
    }
    for index, person in enumerate(list(card.people.all())[:CARD_PEOPLE]):
        initial.update(
            {
                f"name_{index}": person.name,
                f"duty_{index}": person.duty,
                f"phone_{index}": person.phone,
            }
        )
    return initial


class CardEditView(LoginRequiredMixin, View):
    def _render(
        self, request: HttpRequest, organisation: Organisation, form: CardForm, status: int
    ) -> HttpResponse:
        card = BranchContactCard.objects.filter(organisation=organisation).first()
        context = {"organisation": organisation, "form": form, "card": card}
        return render(request, "web/prevention/card_form.html", context, status=status)

    def get(self, request: HttpRequest, org_pk: int) -> HttpResponse:
        organisation = organisation_or_404(request, org_pk)
        card = BranchContactCard.objects.filter(organisation=organisation).first()
        return self._render(request, organisation, CardForm(initial=_initial(card)), 200)

    def post(self, request: AuthedRequest, org_pk: int) -> HttpResponse:
        organisation = organisation_or_404(request, org_pk)
        if not may_write(request, organisation):
            return forbidden(request)
        form = CardForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            people = [
                CardPerson(name=data[f"name_{i}"], duty=data[f"duty_{i}"], phone=data[f"phone_{i}"])
                for i in range(CARD_PEOPLE)
            ]
            try:
                branch_card_save(
                    organisation=organisation,
                    actor=request.user,
                    people=people,
                    landline=data["landline"],
                    channel_name=data["channel_name"],
                    channel_url=data["channel_url"],
                    note=data["note"],
                    is_published=data["is_published"],
                )
            except DomainError as exc:
                form.add_error(None, refusal_text(exc))
            else:
                messages.success(request, _("支部联系卡已保存。"))
                return HttpResponseRedirect(reverse("prevention:branch", args=[organisation.pk]))
        return self._render(request, organisation, form, 400)


class NoticeListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(notice_list_for_user(user=request.user), 50).get_page(
            request.GET.get("page")
        )
        return render(request, "web/prevention/notices.html", {"page": page})


class NoticeCreateView(LoginRequiredMixin, View):
    def _render(
        self, request: HttpRequest, organisation: Organisation, form: NoticeForm, status: int
    ) -> HttpResponse:
        context = {"organisation": organisation, "form": form}
        return render(request, "web/prevention/notice_form.html", context, status=status)

    def get(self, request: HttpRequest, org_pk: int) -> HttpResponse:
        organisation = organisation_or_404(request, org_pk)
        return self._render(request, organisation, NoticeForm(), 200)

    def post(self, request: AuthedRequest, org_pk: int) -> HttpResponse:
        organisation = organisation_or_404(request, org_pk)
        if not may_write(request, organisation):
            return forbidden(request)
        form = NoticeForm(request.POST)
        if form.is_valid():
            try:
                notice = branch_notice_create(
                    organisation=organisation,
                    actor=request.user,
                    **form.cleaned_data,
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("通知已提交发送，每条消息都会记入联系记录。"))
                return HttpResponseRedirect(reverse("prevention:notice", args=[notice.pk]))
        return self._render(request, organisation, form, 400)


class NoticeView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        notice = scoped(notice_get_for_user, request, pk)
        recipients = notice.recipients.select_related("member").order_by("member__name", "pk")
        page = Paginator(recipients, 100).get_page(request.GET.get("page"))
        return render(request, "web/prevention/notice.html", {"notice": notice, "page": page})
