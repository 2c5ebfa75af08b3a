"""Cases (filterable list, detail, timeline) and inquiries (in scope, or for a liaison)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from casework.errors import Conflict, NotFound
from casework.models import Case, Inquiry, Role, TimelineEntry
from casework.seats import approval_seat
from casework.selectors.case_page import approver_panel
from casework.selectors.cases import (
    CaseFilter,
    case_get_for_user,
    case_search_for_user,
    case_timeline,
)
from casework.selectors.inquiries import (
    inquiry_get_for_liaison,
    inquiry_get_for_user,
    inquiry_list_for_liaison,
    inquiry_list_for_user,
)
from casework.services.cases import (
    case_add_approver,
    case_remove_approver,
    case_send_back,
    case_withdraw,
)
from casework.services.inquiries import inquiry_sign
from integrations.services.answers import answer_record
from web.api.errors import REFUSED
from web.api.pagination import Cursor
from web.api.serializers import (
    CaseApproverChangeSerializer,
    CaseApproversSerializer,
    CaseFilterSerializer,
    CaseSendBackSerializer,
    CaseSerializer,
    CaseWithdrawSerializer,
    InquiryAnswerSerializer,
    InquiryFilterSerializer,
    InquirySerializer,
    TimelineEntrySerializer,
)
from web.api.views.base import Ordering, query_filters
from web.typing import AuthedApiRequest


@extend_schema(tags=["cases"], parameters=[CaseFilterSerializer])
class CaseList(generics.ListAPIView[Case]):
    serializer_class = CaseSerializer
    pagination_class = Cursor
    filter_backends = [Ordering]
    ordering_fields = ["id", "opened_at", "updated_at", "clock_due"]
    ordering = ["-opened_at", "-id"]

    def get_queryset(self) -> QuerySet[Case]:
        wanted = query_filters(CaseFilterSerializer, self.request)
        filters = CaseFilter(
            status=wanted.get("status", ""),
            organisation_id=wanted.get("organisation"),
            member_id=wanted.get("member"),
            open=wanted.get("open"),
            opened_after=wanted.get("opened_after"),
            opened_before=wanted.get("opened_before"),
        )
        return case_search_for_user(user=self.request.user, filters=filters)


@extend_schema(tags=["cases"])
class CaseDetail(generics.GenericAPIView[Case]):
    serializer_class = CaseSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(CaseSerializer(case_get_for_user(user=request.user, pk=pk)).data)


@extend_schema(tags=["cases"])
class CaseSendBack(generics.GenericAPIView[Case]):
    """Return the case to the step before (a reviewer of the case, with a comment): the case
    page's 退回 (case_send_back; the open task is cancelled and the earlier one reopened)."""

    serializer_class = CaseSendBackSerializer

    @extend_schema(request=CaseSendBackSerializer, responses={200: CaseSerializer})
    def post(self, request: AuthedApiRequest, pk: int) -> Response:
        case = case_get_for_user(user=request.user, pk=pk)
        incoming = CaseSendBackSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        case_send_back(
            case=case,
            actor=request.user,
            comment=incoming.validated_data["comment"],
        )
        return Response(CaseSerializer(case_get_for_user(user=request.user, pk=pk)).data)


@extend_schema(tags=["cases"])
class CaseWithdraw(generics.GenericAPIView[Case]):
    """Withdraw an open case before a decision (case_withdraw: the same rule as the case page);
    its open tasks are cancelled in the same transaction."""

    serializer_class = CaseWithdrawSerializer

    @extend_schema(request=CaseWithdrawSerializer, responses={200: CaseSerializer})
    def post(self, request: AuthedApiRequest, pk: int) -> Response:
        case = case_get_for_user(user=request.user, pk=pk)
        incoming = CaseWithdrawSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        case_withdraw(
            case=case,
            actor=request.user,
            reason_code=incoming.validated_data["reason_code"],
            reason=incoming.validated_data["reason"],
        )
        return Response(CaseSerializer(case_get_for_user(user=request.user, pk=pk)).data)


def _person(user: Any, role: str) -> dict[str, Any]:
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": str(user.get_full_name() or user.get_username()),
        "role": role,
        "role_label": str(Role(role).label),
    }


def _panel_data(case: Case) -> dict[str, Any]:
    panel = approver_panel(case=case)
    if panel is None:
        return {"pending": False, "organisation": "", "named": [], "candidates": []}
    role, _org = approval_seat(case)
    return {
        "pending": True,
        "organisation": panel.organisation,
        "named": [_person(u, role) for u in panel.named],
        "candidates": [_person(u, role) for u in panel.candidates],
    }


@extend_schema(tags=["cases"])
class CaseApprovers(generics.GenericAPIView[Case]):
    """The pending approval's named approvers and who else may be named (each with id, name
    and role); POST names or removes one by user id (case_add_approver /
    case_remove_approver, the case page's rules)."""

    serializer_class = CaseApproversSerializer

    def get(self, request: Request, pk: int) -> Response:
        case = case_get_for_user(user=request.user, pk=pk)
        return Response(_panel_data(case))

    @extend_schema(request=CaseApproverChangeSerializer, responses={200: CaseApproversSerializer})
    def post(self, request: AuthedApiRequest, pk: int) -> Response:
        case = case_get_for_user(user=request.user, pk=pk)
        incoming = CaseApproverChangeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        panel = approver_panel(case=case)
        if panel is None:
            raise Conflict(_("本案当前不在审批环节。"), code="not_pending")
        user = panel.person(incoming.validated_data["user"])
        if user is None:
            raise ValidationError({"user": [_("请选择审批组织的审批人。")]}, code=REFUSED)
        change = (
            case_add_approver
            if incoming.validated_data["action"] == "add"
            else case_remove_approver
        )
        change(case=case, actor=request.user, approver=user)
        return Response(_panel_data(case_get_for_user(user=request.user, pk=pk)))


class TimelineCursor(Cursor):
    ordering = ("at", "id")  # oldest first, as the case page reads


@extend_schema(tags=["cases"])
class CaseTimeline(generics.ListAPIView[TimelineEntry]):
    """The case's history, oldest first, paginated like every list (cursor, `page_size`)."""

    serializer_class = TimelineEntrySerializer
    pagination_class = TimelineCursor

    def get_queryset(self) -> QuerySet[TimelineEntry]:
        case = case_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return case_timeline(case=case).select_related("actor")


def inquiries_visible_to(user: Any) -> QuerySet[Inquiry]:
    """Inquiries of cases in the user's scope, plus those sent to the user as a liaison."""
    in_scope = inquiry_list_for_user(user=user).values("pk")
    addressed = inquiry_list_for_liaison(user=user).values("pk")
    return Inquiry.objects.filter(Q(pk__in=in_scope) | Q(pk__in=addressed)).select_related(
        "department"
    )


def inquiry_for(user: Any, pk: int) -> Inquiry:
    try:
        return inquiry_get_for_user(user=user, pk=pk)
    except NotFound:
        return inquiry_get_for_liaison(user=user, pk=pk)


@extend_schema(tags=["inquiries"], parameters=[InquiryFilterSerializer])
class InquiryList(generics.ListAPIView[Inquiry]):
    serializer_class = InquirySerializer
    pagination_class = Cursor
    filter_backends = [Ordering]
    ordering_fields = ["id", "due_date", "requested_at"]
    ordering = ["-id"]

    def get_queryset(self) -> QuerySet[Inquiry]:
        inquiries = inquiries_visible_to(self.request.user)
        wanted = query_filters(InquiryFilterSerializer, self.request)
        if "status" in wanted:
            inquiries = inquiries.filter(status=wanted["status"])
        if "case" in wanted:
            inquiries = inquiries.filter(case_id=wanted["case"])
        return inquiries


@extend_schema(tags=["inquiries"])
class InquiryDetail(generics.GenericAPIView[Inquiry]):
    serializer_class = InquirySerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(InquirySerializer(inquiry_for(request.user, pk)).data)


@extend_schema(tags=["inquiries"])
class InquiryAnswerView(generics.GenericAPIView[Inquiry]):
    """Record a department's answer: the one path of every channel (integrations answers:
    cleaned details and limits, a clue's follow-up for the contact officer); liaison or
    coordinator."""

    serializer_class = InquiryAnswerSerializer

    @extend_schema(request=InquiryAnswerSerializer, responses={200: InquirySerializer})
    def post(self, request: Request, pk: int) -> Response:
        inquiry = inquiry_for(request.user, pk)
        incoming = InquiryAnswerSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        inquiry = answer_record(
            inquiry=inquiry,
            actor=request.user,
            answer=data["answer"],
            details=data["details"],
            source=data["source"],
        )
        inquiry = inquiry_for(request.user, inquiry.pk)
        return Response(InquirySerializer(inquiry).data)


@extend_schema(tags=["inquiries"])
class InquirySign(generics.GenericAPIView[Inquiry]):
    """The organisation department signs a drafted inquiry (draft → signed; its letter is
    numbered, and sent at once when the department has a channel): the case page's 签发."""

    serializer_class = InquirySerializer

    @extend_schema(request=None, responses={200: InquirySerializer})
    def post(self, request: AuthedApiRequest, pk: int) -> Response:
        inquiry = inquiry_get_for_user(user=request.user, pk=pk)
        inquiry_sign(inquiry=inquiry, actor=request.user)
        return Response(InquirySerializer(inquiry_for(request.user, pk)).data)
