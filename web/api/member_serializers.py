"""Shapes of the register's writes through the API: the member form (PATCH), relatives, dues,
transfer receipts, reconnect links, pending contact changes and import jobs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from casework.models import Gender, ImportJob, KeyGroup, MembershipType, Relative

ID_MAX = 2**31 - 1


class MemberUpdateSerializer(serializers.Serializer[Any]):
    """The member edit form's fields, all optional (PATCH): only those sent change. Personal
    data (ID number, phones, residence) is written here and only ever read back masked."""

    name = serializers.CharField(max_length=50, required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    ethnicity = serializers.CharField(max_length=20, required=False, allow_blank=True)
    id_number = serializers.CharField(max_length=18, required=False)
    occupation = serializers.CharField(max_length=100, required=False, allow_blank=True)
    employer = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    phone_alt = serializers.CharField(max_length=30, required=False, allow_blank=True)
    residence = serializers.CharField(max_length=200, required=False, allow_blank=True)
    membership_type = serializers.ChoiceField(choices=MembershipType.choices, required=False)
    join_date = serializers.DateField(required=False, allow_null=True)
    last_org_life_date = serializers.DateField(required=False, allow_null=True)
    dues_paid_until = serializers.DateField(required=False, allow_null=True)
    is_mobile = serializers.BooleanField(required=False)
    mobile_certificate_no = serializers.CharField(max_length=40, required=False, allow_blank=True)
    is_abroad = serializers.BooleanField(required=False)
    file_location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    key_groups = serializers.ListField(
        child=serializers.ChoiceField(choices=KeyGroup.choices), required=False
    )
    contact_officer = serializers.IntegerField(
        min_value=1,
        max_value=ID_MAX,
        required=False,
        allow_null=True,
        help_text="user id of a staff member of the organisation (or null)",
    )


class MemberCreateSerializer(MemberUpdateSerializer):
    """新增党员 (POST /members/): the member form's fields with the organisation, name, gender
    and ID number required."""

    organisation = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, help_text="an organisation where you may edit the register"
    )
    name = serializers.CharField(max_length=50)
    gender = serializers.ChoiceField(choices=Gender.choices)
    id_number = serializers.CharField(max_length=18)


class RelativeSerializer(serializers.ModelSerializer[Relative]):
    class Meta:
        model = Relative
        fields = ["id", "name", "relation"]


class RelativeCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=50)
    relation = serializers.CharField(max_length=20)
    phone = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class DuesPaymentSerializer(serializers.Serializer[Any]):
    paid_until = serializers.DateField(help_text="the month paid up to")
    amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("99999999")
    )
    paid_on = serializers.DateField()


class DuesRecordedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    member = serializers.IntegerField(source="member_id")
    paid_until = serializers.DateField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    paid_on = serializers.DateField(allow_null=True)


class TransferReceiptSerializer(serializers.Serializer[Any]):
    returned_on = serializers.DateField()


class TransferSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    member = serializers.IntegerField(source="member_id")
    serial = serializers.CharField()
    issued_on = serializers.DateField()
    receipt_returned_on = serializers.DateField(allow_null=True, required=False)


class ReconnectSentSerializer(serializers.Serializer[Any]):
    link = serializers.IntegerField(help_text="the link's id (the SMS carries the token)")
    member = serializers.IntegerField()
    expires_at = serializers.DateTimeField()


class ContactChangeSerializer(serializers.Serializer[Any]):
    """A member's self-service contact change awaiting the officer (values masked)."""

    id = serializers.IntegerField()
    member = serializers.IntegerField(source="member_id")
    member_name = serializers.CharField(source="member.name")
    phone_masked = serializers.CharField()
    residence_masked = serializers.CharField()
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField()


class ContactChangeDecisionSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=[("accept", "accept"), ("reject", "reject")])


class ImportStartSerializer(serializers.Serializer[Any]):
    organisation = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    file = serializers.FileField(help_text=".xlsx or .csv, the register template's columns")
    dry_run = serializers.BooleanField(required=False, default=False)
    atomic = serializers.BooleanField(
        required=False, default=False, help_text="import nothing if any row is rejected"
    )


class ImportJobSerializer(serializers.ModelSerializer[ImportJob]):
    class Meta:
        model = ImportJob
        fields = [
            "id",
            "organisation",
            "original_name",
            "dry_run",
            "atomic",
            "status",
            "total_rows",
            "processed_rows",
            "created",
            "updated",
            "unchanged",
            "rejected",
            "report",
            "message",
            "created_at",
            "finished_at",
        ]
