"""Coordinator pages: the department directory, letters and their delivery, the print queue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from casework.access import scope_q
from casework.models import DepartmentKind, Organisation, OrgKind
from integrations.models import ChannelKind, CoordinatorNotification, DeliveryState, Lookup
from integrations.services.delivery import letter_resend, letters_create_for_signed
from integrations.services.directory import (
    COORDINATING_ROLES,
    channel_configure,
    department_get_for_coordinator,
    department_save,
    departments_for_coordinator,
)
from integrations.services.manual import (
    letter_get_for_coordinator,
    letter_reply_upload,
    letters_for_coordinator,
    print_queue_combine,
    print_queue_for_coordinator,
)
from integrations.views.errors import domain_errors

LETTERS = "/coordination/letters/"


class ChannelForm(forms.Form):
    kind = forms.ChoiceField(label=_("送达方式"), choices=ChannelKind.choices)
    email = forms.EmailField(label=_("收件邮箱"), required=False)
    endpoint_url = forms.URLField(label=_("接口地址"), required=False, assume_scheme="https")
    hmac_key = forms.CharField(
        label=_("签名密钥"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("留空表示保持原密钥不变"),
    )
    lookups = forms.MultipleChoiceField(
        label=_("可查询事项"),
        choices=Lookup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reminders_enabled = forms.BooleanField(label=_("逾期自动催办"), required=False)


class DepartmentForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("所属组织部门"), queryset=Organisation.objects.none()
    )
    kind = forms.ChoiceField(label=_("部门类别"), choices=DepartmentKind.choices)
    name = forms.CharField(label=_("部门名称"), max_length=200)
    office = forms.CharField(label=_("承办科室"), max_length=200, required=False)
    contact_person = forms.CharField(label=_("联系人"), max_length=50, required=False)
    answer_days = forms.IntegerField(label=_("答复期限（工作日）"), min_value=1, max_value=60)
    is_active = forms.BooleanField(label=_("启用"), required=False)


@login_required
@domain_errors()
def department_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    department = department_get_for_coordinator(user=request.user, pk=pk) if pk else None
    initial: dict[str, Any] = {"answer_days": 10, "is_active": True}
    if department is not None:
        initial = {
            "organisation": department.organisation_id,
            "kind": department.kind,
            "name": department.name,
            "office": department.office,
            "contact_person": department.contact_person,
            "answer_days": department.answer_days,
            "is_active": department.is_active,
        }
    form = DepartmentForm(request.POST or None, initial=initial)
    form.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
        scope_q(request.user, "path", COORDINATING_ROLES), kind=OrgKind.DEPARTMENT
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        department_save(
            actor=request.user,
            organisation=data["organisation"],
            kind=data["kind"],
            name=data["name"],
            office=data["office"],
            contact_person=data["contact_person"],
            answer_days=data["answer_days"],
            is_active=data["is_active"],
            department=department,
        )
        messages.success(request, _("协查部门已保存。"))
        return HttpResponseRedirect("/coordination/")
    return render(
        request, "integrations/department_form.html", {"department": department, "form": form}
    )


@login_required
def department_list(request: HttpRequest) -> HttpResponse:
    departments = departments_for_coordinator(user=request.user)
    return render(request, "integrations/department_list.html", {"departments": departments})


@login_required
@domain_errors()
def channel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    department = department_get_for_coordinator(user=request.user, pk=pk)
    channel = getattr(department, "channel", None)
    initial: dict[str, Any] = {"reminders_enabled": True}
    if channel is not None:
        initial = {
            "kind": channel.kind,
            "email": channel.email,
            "endpoint_url": channel.endpoint_url,
            "lookups": channel.lookups,
            "reminders_enabled": channel.reminders_enabled,
        }
    form = ChannelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        channel_configure(
            department=department,
            actor=request.user,
            kind=data["kind"],
            email=data["email"],
            endpoint_url=data["endpoint_url"],
            hmac_key=data["hmac_key"] or None,
            lookups=data["lookups"],
            reminders_enabled=data["reminders_enabled"],
        )
        messages.success(request, _("送达渠道已保存。"))
        return HttpResponseRedirect("/coordination/")
    has_key = bool(channel and channel.hmac_key)
    return render(
        request,
        "integrations/channel_form.html",
        {"department": department, "form": form, "has_key": has_key},
    )


@login_required
def letter_list(request: HttpRequest) -> HttpResponse:
    letters = letters_for_coordinator(user=request.user).order_by("-created_at", "-id")[:200]
    departments = departments_for_coordinator(user=request.user)
    notices = CoordinatorNotification.objects.filter(
        organisation__in={d.organisation_id for d in departments}, read_at__isnull=True
    )[:50]
    return render(
        request,
        "integrations/letter_list.html",
        {
            "letters": letters,
            "notices": notices,
            "departments": departments,
            "FAILED": DeliveryState.FAILED,
        },
    )


@login_required
@require_POST
@domain_errors(LETTERS)
def letters_send(request: HttpRequest) -> HttpResponse:
    """Batch each department's signed inquiries into one letter and send after commit."""
    departments = list(departments_for_coordinator(user=request.user).filter(is_active=True))
    letters = letters_create_for_signed(departments=departments, actor=request.user)
    messages.info(request, _("已生成 %(n)d 份协查函。") % {"n": len(letters)})
    return HttpResponseRedirect(LETTERS)


@login_required
@require_POST
@domain_errors(LETTERS)
def letter_resend_view(request: HttpRequest, pk: int) -> HttpResponse:
    letter = letter_get_for_coordinator(user=request.user, pk=pk)
    letter_resend(letter=letter, actor=request.user)
    messages.success(request, _("函件已重新排队发送。"))
    return HttpResponseRedirect(LETTERS)


@login_required
@domain_errors(LETTERS)
def print_queue(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        pdf, _printed = print_queue_combine(user=request.user)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="print-queue.pdf"'
        return response
    letters = print_queue_for_coordinator(user=request.user)
    return render(request, "integrations/print_queue.html", {"letters": letters})


class ReplyForm(forms.Form):
    scan = forms.FileField(label=_("回函扫描件"))


@login_required
@domain_errors()
def reply_upload(request: HttpRequest, pk: int) -> HttpResponse:
    letter = letter_get_for_coordinator(user=request.user, pk=pk)
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        letter_reply_upload(letter=letter, actor=request.user, scan=form.cleaned_data["scan"])
        messages.success(request, _("回函扫描件已上传。"))
        return HttpResponseRedirect(LETTERS)
    return render(request, "integrations/reply_upload.html", {"letter": letter, "form": form})
