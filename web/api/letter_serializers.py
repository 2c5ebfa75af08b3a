"""Shapes of the coordination API: departments, their delivery channels and the letters
(the coordinator's screens under /coordination/ as JSON)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.models import Department, DepartmentKind
from integrations.models import (
    ChannelKind,
    DeliveryState,
    DepartmentChannel,
    InquiryLetter,
    LetterKind,
    Lookup,
)
from web.api.errors import REFUSED

ID_MAX = 2**31 - 1


class ChannelSerializer(serializers.ModelSerializer[DepartmentChannel]):
    has_key = serializers.SerializerMethodField(help_text="whether a signing key is stored")

    class Meta:
        model = DepartmentChannel
        fields = ["kind", "email", "endpoint_url", "has_key", "lookups", "reminders_enabled"]

    def get_has_key(self, channel: DepartmentChannel) -> bool:
        return bool(channel.hmac_key)


class DepartmentSerializer(serializers.ModelSerializer[Department]):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    channel = serializers.SerializerMethodField()

    class Meta:
        model = Department
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "kind",
            "name",
            "office",
            "contact_person",
            "answer_days",
            "is_active",
            "channel",
        ]

    @extend_schema_field(ChannelSerializer(allow_null=True))
    def get_channel(self, department: Department) -> dict[str, Any] | None:
        channel = getattr(department, "channel", None)
        return ChannelSerializer(channel).data if channel is not None else None


class DepartmentWriteSerializer(serializers.Serializer[Any]):
    """The department form (coordination/departments/…): department_save's arguments."""

    organisation = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, help_text="an organisation department in your scope"
    )
    kind = serializers.ChoiceField(choices=DepartmentKind.choices)
    name = serializers.CharField(max_length=200)
    office = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    contact_person = serializers.CharField(
        max_length=50, required=False, default="", allow_blank=True
    )
    answer_days = serializers.IntegerField(min_value=1, max_value=60)
    is_active = serializers.BooleanField(required=False, default=True)


class _RulesRefuse:
    """An address the schema's format admits (web.api.strict checks its shape) but Django's
    validator refuses (a 64-character host label …): the rules' refusal, 422."""

    def run_validators(self, value: Any) -> None:
        try:
            super().run_validators(value)  # type: ignore[misc]
        except serializers.ValidationError as exc:
            messages = exc.detail if isinstance(exc.detail, list) else [exc.detail]
            raise serializers.ValidationError([str(m) for m in messages], code=REFUSED) from exc


class PlausibleEmailField(_RulesRefuse, serializers.EmailField):
    pass


class PlausibleURLField(_RulesRefuse, serializers.URLField):
    pass


class ChannelWriteSerializer(serializers.Serializer[Any]):
    """The channel form: channel_configure's arguments (`hmac_key` omitted keeps the key)."""

    kind = serializers.ChoiceField(choices=ChannelKind.choices)
    email = PlausibleEmailField(required=False, default="", allow_blank=True, max_length=254)
    endpoint_url = PlausibleURLField(required=False, default="", allow_blank=True, max_length=200)
    hmac_key = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500, write_only=True
    )
    lookups = serializers.ListField(
        child=serializers.ChoiceField(choices=Lookup.choices), required=False, default=list
    )
    reminders_enabled = serializers.BooleanField(required=False, default=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind = attrs["kind"]
        if kind == ChannelKind.EMAIL and not attrs.get("email"):
            raise serializers.ValidationError(
                {"email": [_("电子邮件方式需要填写收件邮箱。")]}, code=REFUSED
            )
        return attrs


class LetterSerializer(serializers.ModelSerializer[InquiryLetter]):
    department_name = serializers.CharField(source="department.name", read_only=True)
    inquiries = serializers.PrimaryKeyRelatedField(many=True, read_only=True)  # type: ignore[var-annotated]
    has_reply_scan = serializers.SerializerMethodField()

    class Meta:
        model = InquiryLetter
        fields = [
            "id",
            "organisation",
            "department",
            "department_name",
            "kind",
            "document_id",
            "document_number",
            "channel",
            "state",
            "attempts",
            "last_error",
            "created_at",
            "sent_at",
            "delivered_at",
            "failed_at",
            "printed_at",
            "has_reply_scan",
            "inquiries",
        ]

    def get_has_reply_scan(self, letter: InquiryLetter) -> bool:
        return bool(letter.reply_scan)


class LetterFilterSerializer(serializers.Serializer[Any]):
    state = serializers.ChoiceField(choices=DeliveryState.choices, required=False)
    channel = serializers.ChoiceField(choices=ChannelKind.choices, required=False)
    kind = serializers.ChoiceField(choices=LetterKind.choices, required=False)
    department = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX)
    printed = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="manual letters printed or not"
    )


class LettersSentSerializer(serializers.Serializer[Any]):
    created = serializers.IntegerField(help_text="how many letters were created")
    letters = LetterSerializer(many=True)
    skipped_departments = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="departments with signed inquiries but no channel (their inquiries stay "
        "signed until a channel is set)",
    )


class ReplyUploadSerializer(serializers.Serializer[Any]):
    scan = serializers.FileField(help_text="the department's scanned reply (≤ 20 MB)")
