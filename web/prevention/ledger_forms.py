"""Forms of the ledger screens (measures 2, 4, 7, 8). They only check input shape; the casework
services decide (and say why in Chinese)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from casework.models import HandoverCheck, LedgerKind, NoticeChannel, TrainingKind
from web.typing import choice_field, model_choice_field

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class KeeperForm(forms.Form):
    keeper = UserChoice(label=_("台账管理员"), queryset=None)
    since = forms.DateField(label=_("担任日期"), widget=DATE)

    def __init__(self, *args: Any, staff: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "keeper").queryset = staff


class HandoverForm(forms.Form):
    to_user = UserChoice(label=_("接收人"), queryset=None)
    handed_over_on = forms.DateField(label=_("交接日期"), widget=DATE)
    ledgers = forms.MultipleChoiceField(
        label=_("移交台账"),
        choices=LedgerKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    checked = forms.MultipleChoiceField(
        label=_("双方核对事项"),
        choices=HandoverCheck.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    items = forms.CharField(
        label=_("交接清单（册数、份数、未办结事项）"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )
    witness = UserChoice(label=_("监交人"), queryset=None, required=False)

    def __init__(self, *args: Any, staff: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "to_user").queryset = staff
        model_choice_field(self, "witness").queryset = staff


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class AbroadForm(forms.Form):
    member = MemberChoice(label=_("党员"), queryset=None)
    destination = forms.CharField(label=_("前往国家（地区）"), max_length=200)
    purpose = forms.CharField(label=_("事由"), max_length=200, required=False)
    left_on = forms.DateField(label=_("出境日期"), widget=DATE)
    expected_return_on = forms.DateField(label=_("预计回国日期"), widget=DATE, required=False)

    def __init__(self, *args: Any, members: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "member").queryset = members


class DayForm(forms.Form):
    """One date: a return, a report, a returned certificate."""

    day = forms.DateField(label=_("日期"), widget=DATE)


class MobileForm(forms.Form):
    member = MemberChoice(label=_("党员"), queryset=None)
    certificate_no = forms.CharField(label=_("流动党员活动证号"), max_length=40)
    destination = forms.CharField(label=_("流入地"), max_length=200)
    start_on = forms.DateField(label=_("外出日期"), widget=DATE)
    expected_months = forms.IntegerField(label=_("预计外出月数"), min_value=1, max_value=120)
    valid_until = forms.DateField(label=_("活动证有效期至"), widget=DATE, required=False)
    talk_on = forms.DateField(label=_("行前谈话日期"), widget=DATE, required=False)
    talker = UserChoice(label=_("谈话人"), queryset=None, required=False)
    talk_content = forms.CharField(
        label=_("谈话要点"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(
        self, *args: Any, members: QuerySet[Any], staff: QuerySet[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "member").queryset = members
        model_choice_field(self, "talker").queryset = staff

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [bool(data.get(name)) for name in ("talk_on", "talker", "talk_content")]
        if any(given) and not all(given):
            raise forms.ValidationError(_("行前谈话请完整填写谈话日期、谈话人和谈话要点。"))
        return data


class RenewForm(forms.Form):
    renewed_on = forms.DateField(label=_("换发日期"), widget=DATE)
    valid_until = forms.DateField(label=_("新的有效期至"), widget=DATE)
    certificate_no = forms.CharField(
        label=_("新活动证号（不变可不填）"), max_length=40, required=False
    )


class RollCallForm(forms.Form):
    held_on = forms.DateField(label=_("点名日期"), widget=DATE)
    note = forms.CharField(label=_("备注"), max_length=2000, required=False)

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member_fields: list[str] = []
        for pk, name in members:
            key = f"member_{pk}"
            self.fields[key] = forms.BooleanField(label=name, required=False)
            self.member_fields.append(key)

    def answered(self) -> dict[int, bool]:
        return {
            int(key.split("_", 1)[1]): bool(self.cleaned_data[key]) for key in self.member_fields
        }


class TrainingForm(forms.Form):
    kind = forms.ChoiceField(label=_("培训类别"), choices=TrainingKind.choices)
    topic = forms.CharField(label=_("培训内容"), max_length=200)
    trained_on = forms.DateField(label=_("培训日期"), widget=DATE)
    hours = forms.DecimalField(
        label=_("学时"),
        min_value=Decimal("0.5"),
        max_value=Decimal("99"),
        decimal_places=1,
        required=False,
    )
    members = forms.MultipleChoiceField(
        label=_("参加党员"), widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "members").choices = [(str(pk), name) for pk, name in members]


CARD_PEOPLE = 5


class CardForm(forms.Form):
    landline = forms.CharField(label=_("支部联络固定电话"), max_length=40, required=False)
    channel_name = forms.CharField(label=_("网上联络平台"), max_length=100, required=False)
    channel_url = forms.CharField(label=_("平台网址"), max_length=200, required=False)
    note = forms.CharField(label=_("联络说明"), max_length=300, required=False)
    is_published = forms.BooleanField(label=_("对党员公开"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index in range(CARD_PEOPLE):
            self.fields[f"name_{index}"] = forms.CharField(
                label=_("姓名"), max_length=50, required=False
            )
            self.fields[f"duty_{index}"] = forms.CharField(
                label=_("职务"), max_length=50, required=False
            )
            self.fields[f"phone_{index}"] = forms.CharField(
                label=_("公开联系电话"), max_length=40, required=False
            )

    def people_rows(self) -> list[list[Any]]:
        return [
            [self[f"name_{i}"], self[f"duty_{i}"], self[f"phone_{i}"]] for i in range(CARD_PEOPLE)
        ]


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=100)
    text = forms.CharField(
        label=_("内容（最多300字）"), widget=forms.Textarea(attrs={"rows": 4}), max_length=300
    )
    channel = forms.ChoiceField(label=_("发送渠道"), choices=NoticeChannel.choices)
