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

from casework.errors import Conflict
from integrations.models import ChannelKind, CoordinatorNotification, DeliveryState, Lookup
from integrations.services.delivery import letter_create, letter_resend
from integrations.services.directory import (
    channel_configure,
    department_get_for_coordinator,
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
    created = 0
    for department in departments_for_coordinator(user=request.user):
        try:
            letter_create(department=department, actor=request.user)
            created += 1
        except Conflict:
            continue
    messages.info(request, _("已生成 %(n)d 份协查函。") % {"n": created})
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
