"""Contact duty (measure 3) and data quality (measure 1) screens: an officer's members with
their next contact due, the register's gaps per organisation with its masked, audited export,
and confirming a member's record with the member."""

from __future__ import annotations

from dataclasses import dataclass
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

from casework.access import REGISTER_ROLES, scope_paths
from casework.errors import DomainError, NotFound
from casework.member_data import mask_value
from casework.models import Organisation
from casework.selectors.data_quality import ISSUES, data_quality_for_user
from casework.selectors.members import member_get_for_user
from casework.selectors.prevention import contact_duty_list_for_user, contact_officers_for_user
from casework.services.data_quality import data_quality_export, member_info_confirm
from web.prevention.common import domain_message, forbidden, may_write, refused, scoped
from web.typing import AuthedRequest


class ContactDutyView(LoginRequiredMixin, View):
    """A contact officer's members, soonest due first (the user's own by default)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        officers = list(contact_officers_for_user(user=request.user))
        chosen = request.GET.get("officer", "")
        officer_id = int(chosen) if chosen.isdigit() else request.user.pk
        if officer_id != request.user.pk and officer_id not in {o.pk for o in officers}:
            raise Http404
        members = contact_duty_list_for_user(user=request.user, as_of=today, officer_id=officer_id)
        page = Paginator(members, 50).get_page(request.GET.get("page"))
        rows = [
            {
                "member": m,
                "overdue_days": max(0, (today - m.due_on).days) if m.due_on else 0,
                "phone": mask_value("phone", m.phone),
            }
            for m in page.object_list
        ]
        context = {
            "rows": rows,
            "page": page,
            "officers": officers,
            "officer_id": officer_id,
            "today": today,
        }
        return render(request, "web/prevention/duty.html", context)


def _focus(request: HttpRequest) -> int:
    chosen = request.GET.get("org", "")
    if chosen.isdigit():
        return int(chosen)
    roots = Organisation.objects.filter(path__in=scope_paths(request.user, REGISTER_ROLES))
    first = roots.order_by("path").values_list("pk", flat=True).first()
    if first is None:
        raise Http404
    return first


QUALITY_PAGE = 50


@dataclass
class CheapPage:
    """A page without counting the whole list (a committee's members can be many)."""

    rows: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def cheap_page(queryset: Any, page: str | None, size: int) -> CheapPage:
    number = int(page) if page and page.isdigit() and 0 < int(page) < 10_000 else 1
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return CheapPage(rows=rows[:size], number=number, has_next=len(rows) > size)


class DataQualityView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        issue = request.GET.get("issue", "")
        try:
            quality = data_quality_for_user(
                user=request.user,
                organisation_id=_focus(request),
                issue=issue,
                today=timezone.localdate(),
            )
        except NotFound as exc:
            raise Http404 from exc
        # only the ID number is shown (masked): leave the other encrypted columns undecrypted
        members = quality.members.defer("phone", "phone_alt", "residence")
        page = cheap_page(members, request.GET.get("page"), QUALITY_PAGE)
        rows = [
            {
                "member": m,
                "issues": quality.issues_of(m),
                "id_number": mask_value("id_number", m.id_number),
            }
            for m in page.rows
        ]
        children = Organisation.objects.filter(parent=quality.organisation).order_by("path")
        context = {
            "quality": quality,
            "issues": [(name, label, quality.counts[name]) for name, label in ISSUES.items()],
            "issue": issue,
            "rows": rows,
            "page": page,
            "children": children,
            "may_write": may_write(request, quality.organisation),
        }
        return render(request, "web/prevention/quality.html", context)


class DataQualityExportView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            quality = data_quality_for_user(
                user=request.user,
                organisation_id=_focus(request),
                issue=request.GET.get("issue", ""),
                today=timezone.localdate(),
            )
        except NotFound as exc:
            raise Http404 from exc
        data, _rows = data_quality_export(user=request.user, quality=quality)
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        name = f"data-quality-{quality.organisation.pk}-{timezone.localdate():%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response


class MemberConfirmView(LoginRequiredMixin, View):
    """The record was checked with the member today."""

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        member = scoped(member_get_for_user, request, pk)
        if not may_write(request, member.organisation):
            return forbidden(request)
        try:
            member_info_confirm(member=member, actor=request.user)
        except DomainError as exc:
            response = refused(request, exc)
            if response is not None:
                return response
            domain_message(request, exc)
        else:
            messages.success(request, _("已记录信息核对。"))
        target = request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            target = reverse("register:detail", args=[member.pk])
        return HttpResponseRedirect(target)
