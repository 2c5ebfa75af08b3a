"""Forms of the case flow's human tasks (Chinese labels; validation of shape only — the
rules are checked by the casework services the views call)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.caserules import track_kinds, unassessed_clues
from casework.models import (
    CaseTrack,
    Cause,
    ContactChannel,
    ContactOutcome,
    Department,
    Ground,
    Inquiry,
    Member,
    MembershipType,
    MemberStatus,
    ProposalKind,
    ServiceMethod,
)
from casework.models.cases import may_review

# Free text of a step: notes and comments like a contact attempt's notes; longer texts (a
# talk record, the facts and reasons of a proposal) within what a document page can print.
NOTE_MAX = 2000
TEXT_MAX = 10000


class OutreachForm(forms.Form):
    ACTIONS = [
        ("record", _("记录一次联系")),
        ("located", _("已联系上（转谈话记录）")),
        ("not_reachable", _("联系查找已穷尽，无法联系")),
    ]
    action = forms.ChoiceField(label=_("办理事项"), choices=ACTIONS, initial="record")
    channel = forms.ChoiceField(label=_("联系方式"), choices=ContactChannel.choices, required=False)
    outcome = forms.ChoiceField(label=_("联系结果"), choices=ContactOutcome.choices, required=False)
    notes = forms.CharField(
        max_length=NOTE_MAX,
        label=_("说明"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "record" and not (data.get("channel") and data.get("outcome")):
            raise forms.ValidationError(_("记录联系时请选择联系方式和联系结果。"))
        return data


class TalkForm(forms.Form):
    talker1 = forms.ModelChoiceField(label=_("谈话人一"), queryset=Member.objects.none())
    talker2 = forms.ModelChoiceField(label=_("谈话人二"), queryset=Member.objects.none())
    held_on = forms.DateField(label=_("谈话日期"), initial=timezone.localdate)
    place = forms.CharField(label=_("谈话地点"), max_length=100)
    recorder = forms.ModelChoiceField(label=_("记录人"), queryset=Member.objects.none())
    content = forms.CharField(
        max_length=TEXT_MAX, label=_("谈话内容"), widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if case is not None:
            members = Member.objects.filter(
                organisation_id=case.organisation_id, status=MemberStatus.NORMAL
            ).exclude(pk=case.member_id)
            qs = members.filter(membership_type=MembershipType.FULL)
            self.fields["talker1"].queryset = qs  # type: ignore[attr-defined]
            self.fields["talker2"].queryset = qs  # type: ignore[attr-defined]
            self.fields["recorder"].queryset = members  # type: ignore[attr-defined]


class RequestInquiriesForm(forms.Form):
    departments = forms.ModelMultipleChoiceField(
        label=_("协查部门"), queryset=Department.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if case is not None:
            ids = [int(p) for p in case.organisation.path.strip("/").split("/") if p]
            self.fields["departments"].queryset = Department.objects.filter(  # type: ignore[attr-defined]
                organisation_id__in=ids, is_active=True
            )


class ConcludeSearchForm(forms.Form):
    conclusion = forms.ChoiceField(
        label=_("查找结论"),
        choices=[("not_located", _("查找未果")), ("located", _("已找到（转谈话记录）"))],
    )
    comment = forms.CharField(
        max_length=NOTE_MAX,
        label=_("说明"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class AssessCluesForm(forms.Form):
    inquiry = forms.ModelChoiceField(label=_("线索来源"), queryset=Inquiry.objects.none())
    result = forms.ChoiceField(
        label=_("研判结论"),
        choices=[
            ("confirmed", _("线索属实，已联系上（转谈话记录）")),
            ("no_result", _("线索核查无果，继续查找")),
        ],
    )
    notes = forms.CharField(
        max_length=NOTE_MAX, label=_("核查情况"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if case is not None:
            qs = Inquiry.objects.filter(pk__in=unassessed_clues(case)).select_related("department")
            field = self.fields["inquiry"]
            field.queryset = qs  # type: ignore[attr-defined]
            field.label_from_instance = lambda i: str(i.department.name)  # type: ignore[attr-defined]


class AssessCauseForm(forms.Form):
    cause = forms.ChoiceField(label=_("失联原因认定"), choices=Cause.choices)
    notes = forms.CharField(
        max_length=NOTE_MAX,
        label=_("说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class ProposeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("处置方式"),
        choices=[c for c in ProposalKind.choices if c[0] != ProposalKind.RETURN_TO_NORMAL],
    )
    grounds = forms.MultipleChoiceField(
        label=_("处置依据"),
        choices=Ground.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    correction_months = forms.IntegerField(label=_("改正期限（月）"), required=False, min_value=1)
    reasons = forms.CharField(
        max_length=TEXT_MAX, label=_("事实与理由"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = track_kinds(case) if case is not None else ()
        if allowed:  # a 自行脱党 or abroad case: its one outcome, on its ground
            kind = self.fields["kind"]
            kind.choices = [c for c in ProposalKind.choices if c[0] in allowed]  # type: ignore[attr-defined]
            kind.initial = allowed[0]
            abroad = case.track == CaseTrack.ABROAD
            self.fields["grounds"].initial = [Ground.ABROAD if abroad else Ground.SELF_WITHDRAWAL]
        elif case is not None:  # the abroad ground belongs to its track
            grounds = self.fields["grounds"]
            grounds.choices = [c for c in Ground.choices if c[0] != Ground.ABROAD]  # type: ignore[attr-defined]


class ReviewForm(forms.Form):
    """Pre-review and approval: agree, or send back to the previous step with a comment."""

    decision = forms.ChoiceField(
        label=_("意见"), choices=[("agree", _("同意")), ("send_back", _("退回上一环节"))]
    )
    comment = forms.CharField(
        max_length=NOTE_MAX,
        label=_("意见说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "send_back" and not (data.get("comment") or "").strip():
            raise forms.ValidationError(_("退回时须填写意见。"))
        return data


class ApprovalForm(forms.Form):
    """The approving organ: approve, refuse (不予批准, with its reason), or send back."""

    decision = forms.ChoiceField(
        label=_("审批意见"),
        choices=[
            ("agree", _("同意")),
            ("refuse", _("不予批准")),
            ("send_back", _("退回上一环节")),
        ],
    )
    then = forms.ChoiceField(
        label=_("不予批准后"),
        choices=[("branch", _("退回党支部另行研究")), ("close", _("结案（党员已找到）"))],
        required=False,
    )
    comment = forms.CharField(
        max_length=NOTE_MAX,
        label=_("意见说明（不予批准的理由）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision == "send_back" and not (data.get("comment") or "").strip():
            raise forms.ValidationError(_("退回时须填写意见。"))
        if decision == "refuse" and not (data.get("comment") or "").strip():
            raise forms.ValidationError(_("不予批准须写明理由。"))
        return data


class NoticeForm(forms.Form):
    """告知: in person, through the family, by post, or — a member who cannot be found — by
    public notice (公告, its publication date; served when the publication period ends)."""

    notified_on = forms.DateField(label=_("告知（公告发布）日期"), initial=timezone.localdate)
    how = forms.ChoiceField(
        label=_("告知方式"),
        choices=ServiceMethod.choices,
        initial=ServiceMethod.IN_PERSON,
        required=False,  # blank: in person (a member who was found)
    )


class DefenceForm(forms.Form):
    defence_text = forms.CharField(
        max_length=TEXT_MAX,
        label=_("申辩意见（期满未申辩可留空）"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class MeetingForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("办理"), choices=[("record", _("记录表决结果")), ("send_back", _("退回上一环节"))]
    )
    held_on = forms.DateField(label=_("会议日期"), initial=timezone.localdate, required=False)
    place = forms.CharField(label=_("会议地点"), max_length=100, required=False)
    voting_members = forms.IntegerField(label=_("有表决权党员数"), min_value=0, required=False)
    present = forms.IntegerField(label=_("到会有表决权党员数"), min_value=0, required=False)
    votes_for = forms.IntegerField(label=_("赞成"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("反对"), min_value=0, required=False)
    abstentions = forms.IntegerField(label=_("弃权"), min_value=0, required=False)
    comment = forms.CharField(
        max_length=NOTE_MAX,
        label=_("退回意见"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args: Any, case: Any = None, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only reviewers may send back (Case.send_back's permission); a branch secretary
        # recording the vote is not offered it.
        if case is None or user is None or not may_review(case, user):
            field = self.fields["decision"]
            field.choices = [c for c in field.choices if c[0] != "send_back"]  # type: ignore[attr-defined]
            del self.fields["comment"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "send_back":
            if not (data.get("comment") or "").strip():
                raise forms.ValidationError(_("退回时须填写意见。"))
            return data
        numbers = ("voting_members", "present", "votes_for", "votes_against", "abstentions")
        if data.get("held_on") is None or any(data.get(n) is None for n in numbers):
            raise forms.ValidationError(_("请填写会议日期和全部表决人数。"))
        if not (data.get("place") or "").strip():
            raise forms.ValidationError(_("请填写会议地点。"))
        return data


class CloseForm(forms.Form):
    comment = forms.CharField(
        max_length=NOTE_MAX,
        label=_("归档说明"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class CorrectionReviewForm(forms.Form):
    corrected = forms.TypedChoiceField(
        label=_("复核结论"),
        choices=[("1", _("已改正，结案")), ("0", _("未改正，重新提议处置"))],
        coerce=lambda v: v == "1",
    )
    notes = forms.CharField(
        max_length=NOTE_MAX, label=_("考察情况"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ServeDecisionForm(forms.Form):
    """送达: when and how the decision reached the member (the correction period runs from it)."""

    served_on = forms.DateField(label=_("送达日期"), initial=timezone.localdate)
    how = forms.ChoiceField(label=_("送达方式"), choices=ServiceMethod.choices)


class PersuasionOutcomeForm(forms.Form):
    """After 劝退: did the member withdraw, or still refuse (劝而不退 → 除名)?"""

    withdrew = forms.TypedChoiceField(
        label=_("劝退结果"),
        choices=[("1", _("本人已退党，结案")), ("0", _("坚持不退，提议除名"))],
        coerce=lambda v: v == "1",
    )
    on = forms.DateField(label=_("日期"), initial=timezone.localdate)
    notes = forms.CharField(
        max_length=NOTE_MAX, label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 3})
    )


class RestorationForm(forms.Form):
    applied_on = forms.DateField(label=_("申请日期"), initial=timezone.localdate)
    application = forms.CharField(
        max_length=TEXT_MAX, label=_("申请内容"), widget=forms.Textarea(attrs={"rows": 4})
    )


class AppealReviewForm(forms.Form):
    """The organ above decides an appeal (申诉) after its review: uphold or revoke, with its
    findings (printed in the reply to the member)."""

    outcome = forms.ChoiceField(
        label=_("复查结论"),
        choices=[("upheld", _("维持原决定")), ("revoked", _("撤销原决定"))],
    )
    reason = forms.CharField(
        max_length=TEXT_MAX, label=_("复查意见"), widget=forms.Textarea(attrs={"rows": 4})
    )
