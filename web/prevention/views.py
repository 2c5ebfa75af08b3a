"""Prevention pages. Reads go through scoped selectors (out of scope → 404); writes call
casework services; inspectors (read-only) get 403 on POST for objects they can see."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View

from casework.access import WRITE_ROLES, has_role_over
from casework.errors import DomainError, NotFound
from casework.errors import PermissionDenied as DomainPermissionDenied
from casework.models import FollowUp, KeyGroup, MemberStatus, Organisation
from casework.selectors.ledgers import (
    at_risk_list_for_user,
    meeting_list_for_user,
    transfer_get_for_user,
    transfer_list_for_user,
)
from casework.selectors.members import member_get_for_user
from casework.selectors.organisations import organisation_get_for_user
from casework.services.ledgers import (
    contact_attempt_record,
    dues_payment_record,
    meeting_record,
    relation_transfer_receipt_record,
)
from web.prevention.common import document_pdf
from web.prevention.forms import ContactForm, DuesForm, MeetingForm, ReceiptForm
from web.typing import AuthedRequest


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "web/prevention/forbidden.html", status=403)


def _may_write(request: HttpRequest, organisation: Organisation) -> bool:
    return has_role_over(request.user, organisation, WRITE_ROLES)


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = default
    return HttpResponseRedirect(target)


class AtRiskListView(LoginRequiredMixin, View):
    """Members of the user's subtree nearing or past the lost-contact threshold."""

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        group = request.GET.get("group", "")
        key_group = int(group) if group.isdigit() and int(group) in KeyGroup.values else None
        longest_first = request.GET.get("order", "longest") != "shortest"
        members = at_risk_list_for_user(
            user=request.user, as_of=today, key_group=key_group, longest_first=longest_first
        )
        page = Paginator(members, 50).get_page(request.GET.get("page"))
        rows = [
            {"member": m, "days": (today - m.last_seen).days if m.last_seen else None}
            for m in page.object_list
        ]
        return render(
            request,
            "web/prevention/at_risk.html",
            {
                "rows": rows,
                "page": page,
                "groups": KeyGroup.choices,
                "group": key_group,
                "longest_first": longest_first,
            },
        )


class ContactRecordView(LoginRequiredMixin, View):
    """The member panel's quick buttons post here: channel + outcome, one click each."""

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        try:
            member = member_get_for_user(user=request.user, pk=pk)
        except NotFound as exc:
            raise Http404 from exc
        data = request.POST.copy()
        quick = str(data.get("quick", ""))
        if ":" in quick:
            data["channel"], data["outcome"] = quick.split(":", 1)
        form = ContactForm(data)
        if not form.is_valid():
            messages.error(request, _("联系方式或结果无效。"))
            return _back(request, reverse("prevention:index"))
        try:
            contact_attempt_record(
                member=member,
                actor=request.user,
                channel=form.cleaned_data["channel"],
                outcome=form.cleaned_data["outcome"],
                notes=form.cleaned_data["notes"],
            )
        except DomainPermissionDenied:
            raise  # the service's own check: 403 (web.errors)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已记录联系情况。"))
        return _back(request, reverse("prevention:index"))


class DuesView(LoginRequiredMixin, View):
    def _member(self, request: HttpRequest, pk: int) -> Any:
        try:
            return member_get_for_user(user=request.user, pk=pk)
        except NotFound as exc:
            raise Http404 from exc

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        member = self._member(request, pk)
        form = DuesForm(initial={"paid_on": timezone.localdate()})
        return render(request, "web/prevention/dues.html", {"member": member, "form": form})

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        member = self._member(request, pk)
        if not _may_write(request, member.organisation):
            return _forbidden(request)
        form = DuesForm(request.POST)
        if form.is_valid():
            try:
                dues_payment_record(
                    member=member,
                    actor=request.user,
                    **form.cleaned_data,
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("已登记党费交纳。"))
                return HttpResponseRedirect(reverse("prevention:dues", args=[member.pk]))
        context = {"member": member, "form": form}
        return render(request, "web/prevention/dues.html", context, status=400)


class MeetingListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(meeting_list_for_user(user=request.user), 50).get_page(
            request.GET.get("page")
        )
        return render(request, "web/prevention/meetings.html", {"page": page})


class MeetingCreateView(LoginRequiredMixin, View):
    """A meeting of one branch with the attendance of each of its members."""

    def _setup(self, request: HttpRequest, org_pk: int) -> tuple[Organisation, list[Any]]:
        try:
            organisation = organisation_get_for_user(user=request.user, pk=org_pk)
        except NotFound as exc:
            raise Http404 from exc
        members = list(
            organisation.members.filter(status=MemberStatus.NORMAL)
            .order_by("name", "id")
            .values_list("pk", "name")
        )
        return organisation, members

    def get(self, request: HttpRequest, org_pk: int) -> HttpResponse:
        organisation, members = self._setup(request, org_pk)
        form = MeetingForm(members=members, initial={"held_on": timezone.localdate()})
        return render(
            request,
            "web/prevention/meeting_form.html",
            {"organisation": organisation, "form": form},
        )

    def post(self, request: AuthedRequest, org_pk: int) -> HttpResponse:
        organisation, members = self._setup(request, org_pk)
        if not _may_write(request, organisation):
            return _forbidden(request)
        form = MeetingForm(request.POST, members=members)
        if form.is_valid():
            try:
                meeting_record(
                    organisation=organisation,
                    kind=form.cleaned_data["kind"],
                    held_on=form.cleaned_data["held_on"],
                    topic=form.cleaned_data["topic"],
                    attendance=form.attendance(),
                    actor=request.user,
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("已记录会议及出席情况。"))
                return HttpResponseRedirect(reverse("prevention:meetings"))
        context = {"organisation": organisation, "form": form}
        return render(request, "web/prevention/meeting_form.html", context, status=400)


class TransferListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        transfers = transfer_list_for_user(user=request.user)
        if request.GET.get("overdue"):
            transfers = transfers.filter(receipt_returned_on__isnull=True, valid_until__lt=today)
        page = Paginator(transfers, 50).get_page(request.GET.get("page"))
        chased = dict(
            FollowUp.objects.filter(
                kind="transfer.receipt",
                object_id__in=[str(t.pk) for t in page.object_list],
                chaser_document_id__isnull=False,
            ).values_list("object_id", "chased_at")
        )
        rows = [
            {
                "transfer": t,
                "overdue": t.receipt_returned_on is None and t.valid_until < today,
                "chased_at": chased.get(str(t.pk)),
            }
            for t in page.object_list
        ]
        context = {"rows": rows, "page": page, "overdue_only": bool(request.GET.get("overdue"))}
        return render(request, "web/prevention/transfers.html", context)


class TransferReceiptView(LoginRequiredMixin, View):
    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        try:
            transfer = transfer_get_for_user(user=request.user, pk=pk)
        except NotFound as exc:
            raise Http404 from exc
        if not _may_write(request, transfer.from_organisation):
            return _forbidden(request)
        form = ReceiptForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写回执退回日期。"))
        else:
            try:
                relation_transfer_receipt_record(
                    transfer=transfer,
                    returned_on=form.cleaned_data["returned_on"],
                    actor=request.user,
                )
            except DomainPermissionDenied:
                return _forbidden(request)
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("已登记回执。"))
        return HttpResponseRedirect(reverse("prevention:transfers"))


class TransferChaserView(LoginRequiredMixin, View):
    """The chaser letter (催办函) the receipt follow-up issued for an introduction letter."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            transfer = transfer_get_for_user(user=request.user, pk=pk)
        except NotFound as exc:
            raise Http404 from exc
        document_id = (
            FollowUp.objects.filter(
                kind="transfer.receipt",
                object_type="casework.relationtransfer",
                object_id=str(transfer.pk),
                chaser_document_id__isnull=False,
            )
            .order_by("-chased_at")
            .values_list("chaser_document_id", flat=True)
            .first()
        )
        return document_pdf(request, document_id)
