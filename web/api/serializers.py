"""Request and response shapes. Reads are model serializers over selector results; writes
are plain serializers whose validated data go to a casework/documents service."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.member_data import REVEALABLE_FIELDS
from casework.models import (
    AttendanceStatus,
    Case,
    CaseStatus,
    ContactAttempt,
    ContactChannel,
    ContactOutcome,
    Inquiry,
    InquiryAnswer,
    InquiryStatus,
    KeyGroup,
    Meeting,
    MeetingKind,
    Member,
    MemberStatus,
    Organisation,
    Role,
    TimelineEntry,
    WithdrawReason,
)
from casework.services.inquiries import ANSWER_SOURCES
from casework.validation import mask_address, mask_id_number, mask_phone
from documents.models import Document, DocumentStatus
from web.api.errors import REFUSED
from web.api.models import ApiToken

# --- people ------------------------------------------------------------------------------------


class UserNameField(serializers.CharField):
    """A user as a display name (full name, else the login), next to the user's id."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, user: Any) -> str:
        return str(user.get_full_name() or user.get_username())


# --- organisations ----------------------------------------------------------------------------


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "parent",
            "path",
            "depth",
            "code",
            "doc_code",
            "may_approve",
            "is_temporary",
        ]


# --- members (masked) -------------------------------------------------------------------------


class MemberSerializer(serializers.ModelSerializer[Member]):
    """The register row with personal data masked; plaintext only through /reveal."""

    id_number_masked = serializers.SerializerMethodField()
    phone_masked = serializers.SerializerMethodField()
    phone_alt_masked = serializers.SerializerMethodField()
    residence_masked = serializers.SerializerMethodField()
    key_groups = serializers.SerializerMethodField()
    contact_officer_name = UserNameField(
        source="contact_officer", help_text="the contact officer's display name"
    )

    class Meta:
        model = Member
        fields = [
            "id",
            "organisation",
            "name",
            "gender",
            "id_number_masked",
            "phone_masked",
            "phone_alt_masked",
            "residence_masked",
            "occupation",
            "employer",
            "membership_type",
            "join_date",
            "status",
            "last_org_life_date",
            "dues_paid_until",
            "last_contact_date",
            "is_mobile",
            "is_abroad",
            "key_groups",
            "contact_officer",
            "contact_officer_name",
        ]

    def get_id_number_masked(self, member: Member) -> str:
        return mask_id_number(member.id_number or "")

    def get_phone_masked(self, member: Member) -> str:
        return mask_phone(member.phone) if member.phone else ""

    def get_phone_alt_masked(self, member: Member) -> str:
        return mask_phone(member.phone_alt) if member.phone_alt else ""

    def get_residence_masked(self, member: Member) -> str:
        return mask_address(member.residence) if member.residence else ""

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_key_groups(self, member: Member) -> list[int]:
        return [group.value for group in member.key_group_list()]


class MemberFilterSerializer(serializers.Serializer[Any]):
    organisation = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    status = serializers.ChoiceField(choices=MemberStatus.choices, required=False)
    key_group = serializers.ChoiceField(choices=KeyGroup.choices, required=False)
    name = serializers.CharField(required=False, max_length=50)


class MemberRevealSerializer(serializers.Serializer[Any]):
    fields = serializers.ListField(  # type: ignore[assignment]
        child=serializers.ChoiceField(choices=[(f, f) for f in REVEALABLE_FIELDS]),
        min_length=1,
        max_length=len(REVEALABLE_FIELDS),
        required=False,
        help_text="which personal data to reveal (default: all)",
    )


class RevealedRelativeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    relation = serializers.CharField()
    phone = serializers.CharField(allow_blank=True)
    address = serializers.CharField(allow_blank=True)


class MemberRevealedSerializer(serializers.Serializer[Any]):
    """Plaintext personal data: returned once, never cached (Cache-Control: no-store)."""

    id_number = serializers.CharField(required=False)
    phone = serializers.CharField(required=False, allow_blank=True)
    phone_alt = serializers.CharField(required=False, allow_blank=True)
    residence = serializers.CharField(required=False, allow_blank=True)
    relatives = RevealedRelativeSerializer(many=True, required=False)


# --- contact attempts ---------------------------------------------------------------------------


class ContactAttemptSerializer(serializers.ModelSerializer[ContactAttempt]):
    recorded_by_name = UserNameField(source="recorded_by")

    class Meta:
        model = ContactAttempt
        fields = [
            "id",
            "member",
            "case",
            "channel",
            "outcome",
            "notes",
            "at",
            "recorded_by",
            "recorded_by_name",
        ]


class ContactAttemptCreateSerializer(serializers.Serializer[Any]):
    channel = serializers.ChoiceField(choices=ContactChannel.choices)
    outcome = serializers.ChoiceField(choices=ContactOutcome.choices)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    at = serializers.DateTimeField(required=False)
    case = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


# --- meetings ---------------------------------------------------------------------------------


class AttendanceSerializer(serializers.Serializer[Any]):
    member = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)


class AttendanceRowSerializer(serializers.Serializer[Any]):
    member = serializers.IntegerField(source="member_id")
    member_name = serializers.CharField(source="member.name")
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)


class MeetingSerializer(serializers.ModelSerializer[Meeting]):
    recorded_by_name = UserNameField(source="recorded_by", help_text="who recorded it")

    class Meta:
        model = Meeting
        fields = [
            "id",
            "organisation",
            "kind",
            "held_on",
            "topic",
            "recorded_by",
            "recorded_by_name",
            "created_at",
        ]


class MeetingDetailSerializer(MeetingSerializer):
    attendance = AttendanceRowSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "attendance"]


class MeetingCreateSerializer(serializers.Serializer[Any]):
    organisation = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    held_on = serializers.DateField()
    topic = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    attendance = serializers.ListField(child=AttendanceSerializer(), max_length=500)

    def validate_attendance(self, rows: list[dict[str, Any]]) -> dict[int, str]:
        members = [row["member"] for row in rows]
        if len(members) != len(set(members)):
            raise serializers.ValidationError(_("每名党员只能出现一次。"), code=REFUSED)
        return {row["member"]: row["status"] for row in rows}


# --- cases ------------------------------------------------------------------------------------


class CaseSerializer(serializers.ModelSerializer[Case]):
    member_name = serializers.CharField(source="member.name", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "member",
            "member_name",
            "organisation",
            "organisation_name",
            "status",
            "circumstance",
            "track",
            "rule_set",
            "opened_at",
            "updated_at",
            "located_at",
            "cause",
            "clock_kind",
            "clock_due",
            "closed_at",
            "outcome",
            "withdraw_reason",
        ]


class CaseFilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    organisation = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="subtree of this organisation"
    )
    member = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    open = serializers.BooleanField(required=False, allow_null=True, default=None)
    opened_after = serializers.DateField(required=False)
    opened_before = serializers.DateField(required=False)


class TimelineEntrySerializer(serializers.ModelSerializer[TimelineEntry]):
    actor_name = UserNameField(source="actor")

    class Meta:
        model = TimelineEntry
        fields = [
            "id",
            "at",
            "actor",
            "actor_name",
            "action",
            "from_status",
            "to_status",
            "comment",
        ]


# --- inquiries --------------------------------------------------------------------------------


class InquirySerializer(serializers.ModelSerializer[Inquiry]):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "case",
            "department",
            "department_name",
            "status",
            "due_date",
            "requested_at",
            "sent_at",
            "answered_at",
            "answer",
            "reminder_count",
        ]


class InquiryFilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=InquiryStatus.choices, required=False)
    case = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class InquiryAnswerSerializer(serializers.Serializer[Any]):
    answer = serializers.ChoiceField(choices=InquiryAnswer.choices)
    details = serializers.DictField(required=False, default=dict)
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[(s, s) for s in ANSWER_SOURCES], required=False, default="manual"
    )


class CaseWithdrawSerializer(serializers.Serializer[Any]):
    reason_code = serializers.ChoiceField(choices=WithdrawReason.choices)
    reason = serializers.CharField(max_length=2000)


class CaseApproverChangeSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=[("add", "add"), ("remove", "remove")])
    user = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class PersonSerializer(serializers.Serializer[Any]):
    """A user as answers show them: id, login, display name and the role they act in."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    role_label = serializers.CharField()


class CaseApproversSerializer(serializers.Serializer[Any]):
    pending = serializers.BooleanField(help_text="whether an approval is pending")
    organisation = serializers.CharField(allow_blank=True)
    named = PersonSerializer(many=True)
    candidates = PersonSerializer(many=True)


class CaseSendBackSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(max_length=2000)


# --- documents --------------------------------------------------------------------------------


class DocumentSerializer(serializers.ModelSerializer[Document]):
    issuer_name = serializers.CharField(source="issuer.name", read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "kind",
            "number",
            "issuer",
            "issuer_name",
            "status",
            "issued_on",
            "case",
            "member",
            "sha256",
            "size",
            "verify_code",
            "created_at",
            "voided_at",
            "replaces",
        ]


class DocumentFilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=DocumentStatus.choices, required=False)
    case = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class VerificationSerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    issuer = serializers.CharField()
    kind = serializers.CharField()
    issued_on = serializers.DateField()
    sha256 = serializers.CharField()
    status = serializers.ChoiceField(choices=DocumentStatus.choices)
    status_label = serializers.CharField()
    replaced_by = serializers.CharField()
    is_valid = serializers.BooleanField()  # type: ignore[assignment]


class VerificationUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()


# --- tokens and home --------------------------------------------------------------------------


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "revoked_at"]


class ApiTokenCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="shown once; store it now")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]


class PasswordLoginSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, style={"input_type": "password"})
    name = serializers.CharField(max_length=100)


class HomeFiguresSerializer(serializers.Serializer[Any]):
    organisations = serializers.IntegerField()
    members = serializers.IntegerField()
    members_normal = serializers.IntegerField()
    open_cases = serializers.IntegerField()
    scope_names = serializers.ListField(child=serializers.CharField())
