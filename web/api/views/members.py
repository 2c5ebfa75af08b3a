"""The register's writes through the API, each through the service its screen calls: the
member form (member_update), relatives (relative_add / relative_remove), dues
(dues_payment_record), a transfer's receipt (relation_transfer_receipt_record), reconnect
links (reconnect_link_create), pending contact changes (pending_change_decide) and member
import jobs (import_job_start; poll the job for progress and its per-row report)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from casework.errors import NotFound
from casework.models import ImportJob, Relative
from casework.selectors.ledgers import transfer_get_for_user
from casework.selectors.members import (
    import_job_get_for_user,
    import_job_list_for_user,
    member_get_for_user,
)
from casework.selectors.organisations import organisation_list_for_writer
from casework.selectors.prevention import staff_of
from casework.services.imports import import_job_start
from casework.services.ledgers import dues_payment_record, relation_transfer_receipt_record
from casework.services.members import (
    member_register,
    member_update,
    relative_add,
    relative_remove,
)
from casework.validation import mask_address, mask_phone
from integrations.models import PendingContactChange
from integrations.services.reconnect import (
    pending_change_decide,
    pending_changes_for_user,
    reconnect_link_create,
)
from web.api.errors import REFUSED, PayloadTooLarge
from web.api.member_serializers import (
    ContactChangeDecisionSerializer,
    ContactChangeSerializer,
    DuesPaymentSerializer,
    DuesRecordedSerializer,
    ImportJobSerializer,
    ImportStartSerializer,
    MemberCreateSerializer,
    MemberUpdateSerializer,
    ReconnectSentSerializer,
    RelativeCreateSerializer,
    RelativeSerializer,
    TransferReceiptSerializer,
    TransferSerializer,
)
from web.api.pagination import Cursor
from web.api.serializers import MemberSerializer
from web.typing import AuthedApiRequest

IMPORT_LIMIT = 20 * 1024 * 1024


def member_changes(member: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The form's cleaned values as member_update takes them (key groups as one bit mask,
    the contact officer as a user among the organisation's staff)."""
    changes = dict(data)
    if "key_groups" in changes:
        changes["key_groups"] = sum({int(group) for group in changes["key_groups"]})
    if changes.get("contact_officer") is not None:
        officer = staff_of(member.organisation).filter(pk=changes["contact_officer"]).first()
        if officer is None:
            raise ValidationError(
                {"contact_officer": [_("请选择本组织的工作人员。")]}, code=REFUSED
            )
        changes["contact_officer"] = officer
    return changes


class MemberCreate:
    """POST on /members/ (mixed into register.MemberList): 新增党员 through member_register,
    the register page's own service."""

    @extend_schema(request=MemberCreateSerializer, responses={201: MemberSerializer})
    def post(self, request: AuthedApiRequest) -> Response:
        incoming = MemberCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        organisation = (
            organisation_list_for_writer(user=request.user)
            .filter(pk=values.pop("organisation"))
            .first()
        )
        if organisation is None:
            raise ValidationError(
                {"organisation": [_("请选择您可以修改名册的党组织。")]}, code=REFUSED
            )
        if "key_groups" in values:
            values["key_groups"] = sum({int(group) for group in values["key_groups"]})
        if values.get("contact_officer") is not None:
            officer = staff_of(organisation).filter(pk=values["contact_officer"]).first()
            if officer is None:
                raise ValidationError(
                    {"contact_officer": [_("请选择本组织的工作人员。")]}, code=REFUSED
                )
            values["contact_officer"] = officer
        member = member_register(
            organisation=organisation, actor=request.user, values=values, source="api"
        )
        return Response(
            MemberSerializer(member_get_for_user(user=request.user, pk=member.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class MemberEdit:
    """PATCH on /members/{id}/ (mixed into register.MemberDetail)."""

    @extend_schema(request=MemberUpdateSerializer, responses={200: MemberSerializer})
    def patch(self, request: AuthedApiRequest, pk: int) -> Response:
        member = member_get_for_user(user=request.user, pk=pk)
        incoming = MemberUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        member_update(
            member=member,
            actor=request.user,
            changes=member_changes(member, incoming.validated_data),
            source="api",
        )
        return Response(MemberSerializer(member_get_for_user(user=request.user, pk=pk)).data)


@extend_schema(tags=["members"])
class RelativeList(generics.ListCreateAPIView[Relative]):
    """A member's relatives (names and relations; phones and addresses only through the
    audited reveal); POST adds one."""

    serializer_class = RelativeSerializer
    pagination_class = Cursor
    request: AuthedApiRequest  # past IsAuthenticated: the actor is a real user

    def get_queryset(self) -> QuerySet[Relative]:
        member = member_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return Relative.objects.filter(member=member)

    @extend_schema(request=RelativeCreateSerializer, responses={201: RelativeSerializer})
    def post(self, request: Request, pk: int) -> Response:
        member = member_get_for_user(user=request.user, pk=pk)
        incoming = RelativeCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        relative = relative_add(
            member=member,
            actor=self.request.user,
            data=dict(incoming.validated_data),
        )
        return Response(RelativeSerializer(relative).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["members"])
class RelativeDetail(generics.GenericAPIView[Relative]):
    serializer_class = RelativeSerializer

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedApiRequest, pk: int, relative_id: int) -> Response:
        member = member_get_for_user(user=request.user, pk=pk)
        relative = Relative.objects.filter(member=member, pk=relative_id).first()
        if relative is None:
            raise NotFound("not found")
        relative_remove(relative=relative, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["members"])
class MemberDues(generics.GenericAPIView[Any]):
    """Record dues paid up to a month (moves dues paid until and the last contact)."""

    serializer_class = DuesPaymentSerializer

    @extend_schema(request=DuesPaymentSerializer, responses={201: DuesRecordedSerializer})
    def post(self, request: AuthedApiRequest, pk: int) -> Response:
        member = member_get_for_user(user=request.user, pk=pk)
        incoming = DuesPaymentSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        payment = dues_payment_record(
            member=member,
            actor=request.user,
            **incoming.validated_data,
        )
        return Response(DuesRecordedSerializer(payment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["prevention"])
class TransferReceipt(generics.GenericAPIView[Any]):
    """The transfer's receipt came back: the sending organisation's follow-up is closed."""

    serializer_class = TransferReceiptSerializer

    @extend_schema(request=TransferReceiptSerializer, responses={200: TransferSerializer})
    def post(self, request: AuthedApiRequest, pk: int) -> Response:
        transfer = transfer_get_for_user(user=request.user, pk=pk)
        incoming = TransferReceiptSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        transfer = relation_transfer_receipt_record(
            transfer=transfer,
            returned_on=incoming.validated_data["returned_on"],
            actor=request.user,
        )
        return Response(TransferSerializer(transfer).data)


@extend_schema(tags=["members"])
class MemberReconnect(generics.GenericAPIView[Any]):
    """Send the member a one-time self-service link by SMS (after commit; logged as a contact
    attempt). The token itself never appears in an answer."""

    serializer_class = ReconnectSentSerializer

    @extend_schema(request=None, responses={201: ReconnectSentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        member = member_get_for_user(user=request.user, pk=pk)
        issued = reconnect_link_create(member=member, actor=request.user)
        body = {
            "link": issued.link.pk,
            "member": member.pk,
            "expires_at": issued.link.expires_at,
        }
        return Response(ReconnectSentSerializer(body).data, status=status.HTTP_201_CREATED)


def _change_row(change: PendingContactChange) -> dict[str, Any]:
    return {
        "id": change.pk,
        "member_id": change.member_id,
        "member": change.member,
        "phone_masked": mask_phone(change.phone) if change.phone else "",
        "residence_masked": mask_address(change.residence) if change.residence else "",
        "status": change.status,
        "submitted_at": change.submitted_at,
    }


@extend_schema(tags=["members"])
class ContactChangeList(generics.ListAPIView[PendingContactChange]):
    """Contact changes members submitted through their link, awaiting your decision."""

    serializer_class = ContactChangeSerializer
    pagination_class = Cursor

    def get_queryset(self) -> QuerySet[PendingContactChange]:
        return pending_changes_for_user(user=self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = [_change_row(change) for change in page or []]
        return self.get_paginated_response(ContactChangeSerializer(rows, many=True).data)


@extend_schema(tags=["members"])
class ContactChangeDecide(generics.GenericAPIView[PendingContactChange]):
    """Accept (the member's record takes the new values) or reject a pending change."""

    serializer_class = ContactChangeDecisionSerializer

    @extend_schema(
        request=ContactChangeDecisionSerializer, responses={200: ContactChangeSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        incoming = ContactChangeDecisionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        change = pending_changes_for_user(user=request.user).filter(pk=pk).first()
        if change is None:
            raise NotFound("not found")
        change = pending_change_decide(
            change=change,
            actor=request.user,
            accept=incoming.validated_data["decision"] == "accept",
        )
        return Response(ContactChangeSerializer(_change_row(change)).data)


@extend_schema(tags=["members"])
class ImportJobList(generics.ListAPIView[ImportJob]):
    """Member import jobs you may see; POST uploads a file and queues its import (poll the
    job: status, processed/total rows, then the per-row report)."""

    serializer_class = ImportJobSerializer
    pagination_class = Cursor
    parser_classes = [MultiPartParser]

    def get_queryset(self) -> QuerySet[ImportJob]:
        return import_job_list_for_user(user=self.request.user)

    @extend_schema(
        request={"multipart/form-data": ImportStartSerializer},
        responses={202: ImportJobSerializer},
    )
    def post(self, request: AuthedApiRequest) -> Response:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > IMPORT_LIMIT + 64 * 1024:
            raise PayloadTooLarge()
        incoming = ImportStartSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        organisation = (
            organisation_list_for_writer(user=request.user).filter(pk=data["organisation"]).first()
        )
        if organisation is None:
            raise ValidationError({"organisation": [_("请选择您可以维护的党组织。")]}, code=REFUSED)
        upload = data["file"]
        job = import_job_start(
            organisation=organisation,
            actor=request.user,
            upload=upload,
            original_name=upload.name or "upload.xlsx",
            dry_run=data["dry_run"],
            atomic=data["atomic"],
        )
        job = import_job_get_for_user(user=request.user, pk=job.pk)
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["members"])
class ImportJobDetail(generics.GenericAPIView[ImportJob]):
    serializer_class = ImportJobSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(ImportJobSerializer(import_job_get_for_user(user=request.user, pk=pk)).data)
