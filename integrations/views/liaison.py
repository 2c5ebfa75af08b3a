"""The department liaison portal: only inquiries addressed to the liaison's department."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from casework.models import InquiryAnswer, InquiryStatus
from casework.validation import mask_id_number
from integrations import inquiry_port
from integrations.services.answers import answer_record
from integrations.views.errors import domain_errors


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: object, initial: object = None) -> object:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("答复结果"), choices=InquiryAnswer.choices, widget=forms.RadioSelect
    )
    address = forms.CharField(label=_("住址"), required=False, max_length=500)
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=50)
    employer = forms.CharField(label=_("工作单位"), required=False, max_length=200)
    insured_unit = forms.CharField(label=_("参保单位"), required=False, max_length=200)
    notes = forms.CharField(
        label=_("备注"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachments = MultipleFileField(label=_("附件"), required=False)


@login_required
def inquiry_list(request: HttpRequest) -> HttpResponse:
    inquiries = inquiry_port.list_for_liaison(user=request.user)
    return render(request, "integrations/liaison_list.html", {"inquiries": inquiries})


@login_required
@domain_errors()
def inquiry_answer(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = inquiry_port.get_for_liaison(user=request.user, pk=pk)
    form = AnswerForm(request.POST or None, request.FILES or None)
    answerable = inquiry.status in (
        InquiryStatus.SENT,
        InquiryStatus.OVERDUE,
        InquiryStatus.REMINDED,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = {k: data[k] for k in ("address", "phone", "employer", "insured_unit", "notes")}
        answer_record(
            inquiry=inquiry,
            actor=request.user,
            answer=data["answer"],
            details=details,
            source="portal",
            attachments=data["attachments"],
        )
        messages.success(request, _("答复已提交。"))
        return HttpResponseRedirect(request.path)
    member = inquiry.case.member
    details = json.loads(inquiry.answer_details) if inquiry.answer_details else {}
    return render(
        request,
        "integrations/liaison_answer.html",
        {
            "inquiry": inquiry,
            "member_name": member.name,
            "member_id_masked": mask_id_number(member.id_number),
            "form": form,
            "answerable": answerable,
            "details": details,
        },
    )
