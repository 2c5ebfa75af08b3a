"""Forms of the register screens. Personal data is never pre-filled (that would reveal it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.member_data import PERSONAL_FIELDS
from casework.models import Gender, KeyGroup, Member, MembershipType, MemberStatus, Organisation
from web.typing import model_choice_field


class MemberFilterForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("党组织"), queryset=Organisation.objects.none(), required=False
    )
    key_group = forms.TypedChoiceField(
        label=_("重点群体"),
        choices=[("", "—"), *KeyGroup.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    status = forms.ChoiceField(
        label=_("党籍状态"), choices=[("", "—"), *MemberStatus.choices], required=False
    )
    membership_type = forms.ChoiceField(
        label=_("人员类别"), choices=[("", "—"), *MembershipType.choices], required=False
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "organisation").queryset = organisations


class OfficerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices)
    ethnicity = forms.CharField(label=_("民族"), max_length=20, required=False)
    id_number = forms.CharField(
        label=_("公民身份号码"), required=False, help_text=_("留空表示不修改")
    )
    occupation = forms.CharField(label=_("工作岗位"), max_length=100, required=False)
    employer = forms.CharField(label=_("工作单位"), max_length=200, required=False)
    phone = forms.CharField(label=_("联系电话"), required=False, help_text=_("留空表示不修改"))
    phone_alt = forms.CharField(label=_("备用电话"), required=False, help_text=_("留空表示不修改"))
    residence = forms.CharField(label=_("家庭住址"), required=False, help_text=_("留空表示不修改"))
    membership_type = forms.ChoiceField(label=_("人员类别"), choices=MembershipType.choices)
    join_date = forms.DateField(label=_("入党日期"), required=False)
    last_org_life_date = forms.DateField(label=_("最近参加组织生活日期"), required=False)
    dues_paid_until = forms.DateField(label=_("党费交至"), required=False)
    is_mobile = forms.BooleanField(label=_("流动党员"), required=False)
    mobile_certificate_no = forms.CharField(
        label=_("流动党员活动证号"), max_length=40, required=False
    )
    is_abroad = forms.BooleanField(label=_("出国（境）"), required=False)
    file_location = forms.CharField(label=_("档案存放单位"), max_length=200, required=False)
    key_groups = forms.TypedMultipleChoiceField(
        label=_("重点群体"),
        choices=KeyGroup.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    contact_officer = OfficerChoice(
        label=_("包干联系人"),
        queryset=None,
        required=False,
    )

    def __init__(self, *args: Any, officers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if officers is None:
            del self.fields["contact_officer"]
        else:
            model_choice_field(self, "contact_officer").queryset = officers

    @classmethod
    def initial_for(cls, member: Member) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for name in cls.base_fields:
            if name in PERSONAL_FIELDS:
                continue
            if name == "key_groups":
                initial[name] = [g.value for g in member.key_group_list()]
            elif name == "contact_officer":
                initial[name] = member.contact_officer_id
            else:
                initial[name] = getattr(member, name)
        return initial

    def changes(self) -> dict[str, Any]:
        """Cleaned values for the service; blank personal fields mean 'keep as it is'."""
        data = dict(self.cleaned_data)
        for name in PERSONAL_FIELDS:
            if not data.get(name):
                data.pop(name, None)
        data["key_groups"] = sum(set(data.get("key_groups") or []))
        return data


class MemberCreateForm(MemberForm):
    """新增党员: the member form with the organisation first and the ID number required; the
    contact officer is chosen afterwards on the edit page (the staff depend on the branch)."""

    organisation = forms.ModelChoiceField(
        label=_("所在党组织"), queryset=Organisation.objects.none()
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, officers=None, **kwargs)
        model_choice_field(self, "organisation").queryset = organisations
        self.order_fields(["organisation"])
        self.fields["id_number"].required = True
        for name in PERSONAL_FIELDS:
            self.fields[name].help_text = ""

    def values(self) -> dict[str, Any]:
        """The member's fields as member_register takes them (key groups as one bit mask)."""
        data = dict(self.cleaned_data)
        data.pop("organisation", None)
        data["key_groups"] = sum(set(data.get("key_groups") or []))
        return data


class RelativeForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    relation = forms.CharField(label=_("关系"), max_length=20)
    phone = forms.CharField(label=_("联系电话"), required=False)
    address = forms.CharField(label=_("住址"), required=False)


class ImportForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("导入到"), queryset=Organisation.objects.none())
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))
    dry_run = forms.BooleanField(label=_("仅校验，不写入"), required=False)
    atomic = forms.BooleanField(label=_("有错误行时整体不导入"), required=False)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "organisation").queryset = organisations
