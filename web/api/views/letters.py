"""Coordination through the API: departments and their channels, letters (list, send the
signed inquiries, resend, print the manual queue as one PDF, upload a paper reply).

The same selectors and services as the coordinator's screens (integrations/views/
coordination.py): departments_for_coordinator, department_save, channel_configure,
letters_create_for_signed, letter_resend, print_queue_combine, letter_reply_upload."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from casework.access import scope_q
from casework.errors import NotFound
from casework.models import Department, Inquiry, InquiryStatus, Organisation, OrgKind
from integrations.models import DepartmentChannel, InquiryLetter, LetterKind
from integrations.services.delivery import letter_resend, letters_create_for_signed
from integrations.services.directory import (
    COORDINATING_ROLES,
    channel_configure,
    department_get_for_coordinator,
    department_save,
    departments_for_coordinator,
)
from integrations.services.manual import (
    letter_get_for_coordinator,
    letter_reply_upload,
    letters_for_coordinator,
    print_queue_combine,
    print_queue_for_coordinator,
)
from web.api.errors import REFUSED, PayloadTooLarge
from web.api.letter_serializers import (
    ChannelSerializer,
    ChannelWriteSerializer,
    DepartmentSerializer,
    DepartmentWriteSerializer,
    LetterFilterSerializer,
    LetterSerializer,
    LettersSentSerializer,
    ReplyUploadSerializer,
)
from web.api.pagination import Cursor
from web.api.views.base import query_filters

REPLY_LIMIT = 20 * 1024 * 1024


def _organisation(user: Any, pk: int) -> Organisation:
    """An organisation department the user coordinates (the department form's choices)."""
    organisation = Organisation.objects.filter(
        scope_q(user, "path", COORDINATING_ROLES), kind=OrgKind.DEPARTMENT, pk=pk
    ).first()
    if organisation is None:
        raise ValidationError({"organisation": [_("请选择您协调的组织部门。")]}, code=REFUSED)
    return organisation


def _save(request: Request, department: Department | None) -> Department:
    incoming = DepartmentWriteSerializer(data=request.data)
    incoming.is_valid(raise_exception=True)
    data = incoming.validated_data
    return department_save(
        actor=request.user,
        organisation=_organisation(request.user, data["organisation"]),
        kind=data["kind"],
        name=data["name"],
        office=data["office"],
        contact_person=data["contact_person"],
        answer_days=data["answer_days"],
        is_active=data["is_active"],
        department=department,
    )


def _department(user: Any, pk: int) -> Department:
    return departments_for_coordinator(user=user).get(
        pk=department_get_for_coordinator(user=user, pk=pk).pk
    )


@extend_schema(tags=["coordination"])
class DepartmentList(generics.ListCreateAPIView[Department]):
    """The departments you coordinate (with their channel); POST adds one."""

    serializer_class = DepartmentSerializer
    pagination_class = Cursor

    def get_queryset(self) -> QuerySet[Department]:
        return departments_for_coordinator(user=self.request.user).order_by("-id")

    @extend_schema(request=DepartmentWriteSerializer, responses={201: DepartmentSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        department = _save(request, None)
        return Response(
            DepartmentSerializer(_department(request.user, department.pk)).data, status=201
        )


@extend_schema(tags=["coordination"])
class DepartmentDetail(generics.GenericAPIView[Department]):
    serializer_class = DepartmentSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(DepartmentSerializer(_department(request.user, pk)).data)

    @extend_schema(request=DepartmentWriteSerializer, responses={200: DepartmentSerializer})
    def put(self, request: Request, pk: int) -> Response:
        department = department_get_for_coordinator(user=request.user, pk=pk)
        _save(request, department)
        return Response(DepartmentSerializer(_department(request.user, pk)).data)


@extend_schema(tags=["coordination"])
class DepartmentChannelView(generics.GenericAPIView[DepartmentChannel]):
    """How the department is reached (email, HTTP, or paper letters printed here)."""

    serializer_class = ChannelSerializer

    @extend_schema(responses={200: ChannelSerializer})
    def get(self, request: Request, pk: int) -> Response:
        department = department_get_for_coordinator(user=request.user, pk=pk)
        channel = DepartmentChannel.objects.filter(department=department).first()
        if channel is None:
            raise NotFound(_("该部门尚未配置送达渠道。"))
        return Response(ChannelSerializer(channel).data)

    @extend_schema(request=ChannelWriteSerializer, responses={200: ChannelSerializer})
    def put(self, request: Request, pk: int) -> Response:
        department = department_get_for_coordinator(user=request.user, pk=pk)
        incoming = ChannelWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        channel = channel_configure(
            department=department,
            actor=request.user,
            kind=data["kind"],
            email=data["email"],
            endpoint_url=data["endpoint_url"],
            hmac_key=data["hmac_key"] or None,
            lookups=data["lookups"],
            reminders_enabled=data["reminders_enabled"],
        )
        return Response(ChannelSerializer(channel).data)


@extend_schema(tags=["coordination"], parameters=[LetterFilterSerializer])
class LetterList(generics.ListAPIView[InquiryLetter]):
    """Letters of the organisation departments you coordinate, newest first."""

    serializer_class = LetterSerializer
    pagination_class = Cursor

    def get_queryset(self) -> QuerySet[InquiryLetter]:
        letters = letters_for_coordinator(user=self.request.user).prefetch_related("inquiries")
        wanted = query_filters(LetterFilterSerializer, self.request)
        for name in ("state", "channel", "kind"):
            if name in wanted:
                letters = letters.filter(**{name: wanted[name]})
        if "department" in wanted:
            letters = letters.filter(department_id=wanted["department"])
        if wanted.get("printed") is not None:
            letters = letters.filter(printed_at__isnull=not wanted["printed"])
        return letters


@extend_schema(tags=["coordination"])
class LetterDetail(generics.GenericAPIView[InquiryLetter]):
    serializer_class = LetterSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(LetterSerializer(letter_get_for_coordinator(user=request.user, pk=pk)).data)


@extend_schema(tags=["coordination"])
class LettersSend(generics.GenericAPIView[InquiryLetter]):
    """Batch each active department's signed inquiries into one letter (numbered now, sent
    after commit through the department's channel; paper letters wait in the print queue).
    The letters page's 发送 button."""

    serializer_class = LettersSentSerializer

    @extend_schema(request=None, responses={200: LettersSentSerializer})
    def post(self, request: Request) -> Response:
        departments = list(departments_for_coordinator(user=request.user).filter(is_active=True))
        letters = letters_create_for_signed(departments=departments, actor=request.user)
        waiting = (
            Inquiry.objects.filter(
                department__in=departments,
                status=InquiryStatus.SIGNED,
                department__channel__isnull=True,
            )
            .exclude(letters__kind=LetterKind.INQUIRY)
            .values_list("department_id", flat=True)
        )
        body = {
            "created": len(letters),
            "letters": letters_for_coordinator(user=request.user)
            .filter(pk__in=[letter.pk for letter in letters])
            .prefetch_related("inquiries"),
            "skipped_departments": sorted(set(waiting)),
        }
        return Response(LettersSentSerializer(body).data)


@extend_schema(tags=["coordination"])
class LetterResend(generics.GenericAPIView[InquiryLetter]):
    """Send a failed letter again (after fixing the channel); 409 unless it failed."""

    serializer_class = LetterSerializer

    @extend_schema(request=None, responses={200: LetterSerializer})
    def post(self, request: Request, pk: int) -> Response:
        letter = letter_get_for_coordinator(user=request.user, pk=pk)
        letter_resend(letter=letter, actor=request.user)
        return Response(LetterSerializer(letter_get_for_coordinator(user=request.user, pk=pk)).data)


@extend_schema(tags=["coordination"])
class PrintQueue(generics.ListAPIView[InquiryLetter]):
    """Paper letters waiting to be printed (oldest first)."""

    serializer_class = LetterSerializer
    pagination_class = Cursor

    def get_queryset(self) -> QuerySet[InquiryLetter]:
        return print_queue_for_coordinator(user=self.request.user).prefetch_related("inquiries")


@extend_schema(
    tags=["coordination"],
    request=None,
    responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
)
class PrintQueuePdf(generics.GenericAPIView[InquiryLetter]):
    """Every queued paper letter in one PDF; they count as sent by hand (their inquiries are
    sent, the answer clock starts). 409 when the queue is empty."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return super().perform_content_negotiation(request, force=True)

    def post(self, request: Request) -> HttpResponse:
        pdf, _printed = print_queue_combine(user=request.user)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="print-queue.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response


@extend_schema(
    tags=["coordination"],
    request={"multipart/form-data": ReplyUploadSerializer},
    responses={200: LetterSerializer},
)
class LetterReply(generics.GenericAPIView[InquiryLetter]):
    """Attach the department's scanned paper reply to a printed letter (it counts as
    delivered); 413 above 20 MB, 409 before the letter is printed."""

    parser_classes = [MultiPartParser]
    serializer_class = ReplyUploadSerializer

    def post(self, request: Request, pk: int) -> Response:
        letter = letter_get_for_coordinator(user=request.user, pk=pk)
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > REPLY_LIMIT + 64 * 1024:
            raise PayloadTooLarge()
        incoming = ReplyUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        letter_reply_upload(letter=letter, actor=request.user, scan=incoming.validated_data["scan"])
        return Response(LetterSerializer(letter_get_for_coordinator(user=request.user, pk=pk)).data)
