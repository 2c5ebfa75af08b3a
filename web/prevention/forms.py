"""Forms of the prevention pages; they only validate input, the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.models import AttendanceStatus, ContactChannel, ContactOutcome, MeetingKind


class ContactForm(forms.Form):
    channel = forms.ChoiceField(label=_("联系方式"), choices=ContactChannel.choices)
    outcome = forms.ChoiceField(label=_("联系结果"), choices=ContactOutcome.choices)
    notes = forms.CharField(label=_("情况记录"), required=False, max_length=2000)


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    held_on = forms.DateField(
        label=_("召开日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    topic = forms.CharField(label=_("主题"), required=False, max_length=200)

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member_fields: list[str] = []
        for pk, name in members:
            key = f"member_{pk}"
            self.fields[key] = forms.ChoiceField(
                label=name, choices=AttendanceStatus.choices, initial=AttendanceStatus.PRESENT
            )
            self.member_fields.append(key)

    def attendance(self) -> dict[int, str]:
        return {int(key.split("_", 1)[1]): self.cleaned_data[key] for key in self.member_fields}


class DuesForm(forms.Form):
    paid_until = forms.DateField(
        label=_("交至月份"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    amount = forms.DecimalField(
        label=_("金额（元）"), min_value=Decimal("0.01"), max_digits=10, decimal_places=2
    )
    paid_on = forms.DateField(
        label=_("交纳日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ReceiptForm(forms.Form):
    returned_on = forms.DateField(
        label=_("回执退回日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
