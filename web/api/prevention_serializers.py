"""Request and response shapes of the prevention API (measures 1–5, 7–9). Reads serialize
selector results (personal data masked); writes are plain serializers whose validated data go
to one casework/documents/integrations service."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from casework.models import (
    AbroadRecord,
    BranchContactCard,
    BranchNotice,
    DepartureTalk,
    HandoverCheck,
    LedgerHandover,
    LedgerKind,
    MemberLetterRound,
    MobileRecord,
    NoticeChannel,
    RollCall,
    TrainingKind,
    TrainingRecord,
)
from casework.selectors.data_quality import ISSUES
from casework.validation import mask_id_number, mask_phone
from web.api.errors import REFUSED
from web.api.serializers import UserNameField


def _id(**kwargs: Any) -> serializers.IntegerField:
    """A database id (1 … 2**31-1)."""
    return serializers.IntegerField(min_value=1, max_value=2**31 - 1, **kwargs)


class MemberBriefSerializer(serializers.Serializer[Any]):
    """A member as lists show them: masked personal data only."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    organisation = serializers.IntegerField(source="organisation_id")
    organisation_name = serializers.CharField(source="organisation.name")
    id_number_masked = serializers.SerializerMethodField()
    phone_masked = serializers.SerializerMethodField()
    status = serializers.CharField()
    contact_officer = serializers.IntegerField(source="contact_officer_id", allow_null=True)
    contact_officer_name = UserNameField(
        source="contact_officer", help_text="the contact officer's display name"
    )

    def get_id_number_masked(self, member: Any) -> str:
        return mask_id_number(member.id_number or "")

    def get_phone_masked(self, member: Any) -> str:
        return mask_phone(member.phone) if member.phone else ""


class SearchFilterSerializer(serializers.Serializer[Any]):
    q = serializers.CharField(max_length=40, help_text="name, pinyin, initials, ID tail, phone")


class ContactDutyFilterSerializer(serializers.Serializer[Any]):
    officer = _id(required=False)


class ContactDutySerializer(MemberBriefSerializer):
    key_groups = serializers.IntegerField()
    last_seen = serializers.DateField(allow_null=True)
    cadence_days = serializers.SerializerMethodField()
    due_on = serializers.DateField(allow_null=True)

    def get_cadence_days(self, member: Any) -> int:
        return int(member.cadence.days)


class DataQualityFilterSerializer(serializers.Serializer[Any]):
    organisation = _id(required=False)
    issue = serializers.ChoiceField(choices=list(ISSUES), required=False)


class DataQualityMemberSerializer(MemberBriefSerializer):
    issues = serializers.ListField(child=serializers.CharField())
    info_confirmed_on = serializers.DateField(allow_null=True)


class DataQualitySerializer(serializers.Serializer[Any]):
    organisation = serializers.IntegerField()
    total = serializers.IntegerField(help_text="Normal members of the subtree.")
    counts = serializers.DictField(child=serializers.IntegerField())
    unconfirmed_since = serializers.DateField()
    members = DataQualityMemberSerializer(many=True, help_text="The first 200 members concerned.")


class ConfirmSerializer(serializers.Serializer[Any]):
    confirmed_on = serializers.DateField(required=False)


class InfoConfirmedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    info_confirmed_on = serializers.DateField()


# --- keeper and handovers ---------------------------------------------------------------------


class KeeperSerializer(serializers.Serializer[Any]):
    organisation = serializers.IntegerField()
    keeper = serializers.IntegerField(allow_null=True)
    since = serializers.DateField(allow_null=True)
    absent = serializers.BooleanField(help_text="No keeper, or the keeper is no longer there.")


class KeeperAssignSerializer(serializers.Serializer[Any]):
    keeper = _id()
    since = serializers.DateField()


class HandoverSerializer(serializers.ModelSerializer[LedgerHandover]):
    is_complete = serializers.BooleanField(read_only=True)

    class Meta:
        model = LedgerHandover
        fields = [
            "id",
            "organisation",
            "from_user",
            "to_user",
            "witness",
            "handed_over_on",
            "ledgers",
            "checked",
            "items",
            "from_confirmed_at",
            "to_confirmed_at",
            "is_complete",
            "record_document_id",
            "created_at",
        ]


class HandoverCreateSerializer(serializers.Serializer[Any]):
    organisation = _id()
    to_user = _id()
    handed_over_on = serializers.DateField()
    ledgers = serializers.ListField(
        child=serializers.ChoiceField(choices=LedgerKind.choices), max_length=20, default=list
    )
    checked = serializers.ListField(
        child=serializers.ChoiceField(choices=HandoverCheck.choices), max_length=20, default=list
    )
    items = serializers.CharField(max_length=4000, allow_blank=True, default="")
    witness = _id(required=False)


class IssuedDocumentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)  # records and member letters: unnumbered
    status = serializers.CharField()


# --- abroad and mobile members ----------------------------------------------------------------


class AbroadSerializer(serializers.ModelSerializer[AbroadRecord]):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = AbroadRecord
        fields = [
            "id",
            "member",
            "member_name",
            "destination",
            "purpose",
            "left_on",
            "expected_return_on",
            "returned_on",
            "created_at",
        ]


class AbroadCreateSerializer(serializers.Serializer[Any]):
    member = _id()
    destination = serializers.CharField(max_length=200)
    purpose = serializers.CharField(max_length=200, allow_blank=True, default="")
    left_on = serializers.DateField()
    expected_return_on = serializers.DateField(required=False, allow_null=True)


class DaySerializer(serializers.Serializer[Any]):
    day = serializers.DateField()


class MobileSerializer(serializers.ModelSerializer[MobileRecord]):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = MobileRecord
        fields = [
            "id",
            "member",
            "member_name",
            "certificate_no",
            "destination",
            "start_on",
            "end_on",
            "expected_months",
            "valid_until",
            "renewed_on",
            "report_due_on",
            "last_report_on",
            "certificate_returned_on",
            "created_at",
        ]


class TalkSerializer(serializers.Serializer[Any]):
    talked_on = serializers.DateField()
    talker = _id()
    content = serializers.CharField(max_length=4000)


class MobileCreateSerializer(serializers.Serializer[Any]):
    member = _id()
    certificate_no = serializers.CharField(max_length=40)
    destination = serializers.CharField(max_length=200)
    start_on = serializers.DateField()
    expected_months = serializers.IntegerField(min_value=1, max_value=120, required=False)
    valid_until = serializers.DateField(required=False, allow_null=True)
    talk = TalkSerializer(required=False, help_text="The pre-departure talk (行前谈话).")


class RenewSerializer(serializers.Serializer[Any]):
    renewed_on = serializers.DateField()
    valid_until = serializers.DateField()
    certificate_no = serializers.CharField(max_length=40, allow_blank=True, default="")


class DepartureTalkSerializer(serializers.ModelSerializer[DepartureTalk]):
    class Meta:
        model = DepartureTalk
        fields = [
            "id",
            "member",
            "talked_on",
            "talker",
            "destination",
            "expected_months",
            "content",
            "mobile_record",
            "created_at",
        ]


class DepartureTalkCreateSerializer(TalkSerializer):
    destination = serializers.CharField(max_length=200)
    expected_months = serializers.IntegerField(min_value=1, max_value=120)


# --- roll calls, training, letters -------------------------------------------------------------


class RollCallSerializer(serializers.ModelSerializer[RollCall]):
    total = serializers.IntegerField(read_only=True)
    answered = serializers.IntegerField(read_only=True)

    class Meta:
        model = RollCall
        fields = ["id", "organisation", "held_on", "note", "total", "answered", "created_at"]


class RollCallEntrySerializer(serializers.Serializer[Any]):
    member = serializers.IntegerField(source="member_id")
    member_name = serializers.CharField(source="member.name")
    answered = serializers.BooleanField()


class RollCallDetailSerializer(RollCallSerializer):
    entries = RollCallEntrySerializer(many=True, read_only=True)

    class Meta(RollCallSerializer.Meta):
        fields = [*RollCallSerializer.Meta.fields, "entries"]


class RollCallAnswerSerializer(serializers.Serializer[Any]):
    member = _id()
    answered = serializers.BooleanField()


class RollCallCreateSerializer(serializers.Serializer[Any]):
    organisation = _id()
    held_on = serializers.DateField()
    note = serializers.CharField(max_length=2000, allow_blank=True, default="")
    answers = serializers.ListField(child=RollCallAnswerSerializer(), min_length=1, max_length=500)

    def validate_answers(self, rows: list[dict[str, Any]]) -> dict[int, bool]:
        members = [row["member"] for row in rows]
        if len(members) != len(set(members)):
            raise serializers.ValidationError(_("每名党员只能出现一次。"), code=REFUSED)
        return {row["member"]: row["answered"] for row in rows}


class TrainingSerializer(serializers.ModelSerializer[TrainingRecord]):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = TrainingRecord
        fields = [
            "id",
            "member",
            "member_name",
            "kind",
            "topic",
            "trained_on",
            "hours",
            "created_at",
        ]


class TrainingCreateSerializer(serializers.Serializer[Any]):
    organisation = _id()
    kind = serializers.ChoiceField(choices=TrainingKind.choices)
    topic = serializers.CharField(max_length=200)
    trained_on = serializers.DateField()
    hours = serializers.DecimalField(
        max_digits=4, decimal_places=1, required=False, allow_null=True, min_value=0, max_value=99
    )
    members = serializers.ListField(child=_id(), min_length=1, max_length=500)


class LetterRoundSerializer(serializers.ModelSerializer[MemberLetterRound]):
    class Meta:
        model = MemberLetterRound
        fields = ["id", "organisation", "sent_on", "letters", "document_ids", "created_at"]


# --- contact card and notices -------------------------------------------------------------------


class CardPersonSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=50)
    duty = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=40)


class CardSerializer(serializers.ModelSerializer[BranchContactCard]):
    people = CardPersonSerializer(many=True, read_only=True)
    public_url = serializers.SerializerMethodField()

    class Meta:
        model = BranchContactCard
        fields = [
            "organisation",
            "landline",
            "channel_name",
            "channel_url",
            "note",
            "is_published",
            "people",
            "public_url",
            "updated_at",
        ]

    def get_public_url(self, card: BranchContactCard) -> str:
        return f"/integrations/card/{card.public_code}/"


class CardSaveSerializer(serializers.Serializer[Any]):
    landline = serializers.CharField(max_length=40, allow_blank=True, default="")
    channel_name = serializers.CharField(max_length=100, allow_blank=True, default="")
    channel_url = serializers.CharField(max_length=200, allow_blank=True, default="")
    note = serializers.CharField(max_length=300, allow_blank=True, default="")
    is_published = serializers.BooleanField(default=True)
    people = serializers.ListField(child=CardPersonSerializer(), max_length=7)


class NoticeSerializer(serializers.ModelSerializer[BranchNotice]):
    total = serializers.IntegerField(read_only=True)
    sent = serializers.IntegerField(read_only=True)
    failed = serializers.IntegerField(read_only=True)

    class Meta:
        model = BranchNotice
        fields = [
            "id",
            "organisation",
            "title",
            "text",
            "channel",
            "total",
            "sent",
            "failed",
            "created_at",
        ]


class NoticeCreateSerializer(serializers.Serializer[Any]):
    organisation = _id()
    title = serializers.CharField(max_length=100)
    text = serializers.CharField(max_length=300)
    channel = serializers.ChoiceField(choices=NoticeChannel.choices)


class OrgLifeFilterSerializer(serializers.Serializer[Any]):
    organisation = _id(required=False)


class OrgLifeSerializer(serializers.Serializer[Any]):
    organisation = serializers.IntegerField()
    name = serializers.CharField()
    last_meetings = serializers.DictField(
        child=serializers.DateField(allow_null=True), help_text="三会一课 kind → latest date."
    )
    on_schedule = serializers.DictField(child=serializers.BooleanField())
    compliant = serializers.BooleanField()
    last_roll_call = serializers.DateField(allow_null=True)
