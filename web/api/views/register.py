"""Organisations, members (masked), contact attempts, meetings with attendance."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from casework.errors import NotFound
from casework.member_data import REVEALABLE_FIELDS
from casework.models import ContactAttempt, Meeting, Member, Organisation
from casework.selectors.cases import case_get_for_user
from casework.selectors.ledgers import meeting_list_for_user
from casework.selectors.members import member_get_for_user, member_list_for_user
from casework.selectors.organisations import (
    organisation_get_for_user,
    organisation_list_for_user,
)
from casework.services.ledgers import contact_attempt_record, meeting_record
from casework.services.members import member_reveal
from web.api.pagination import Cursor
from web.api.serializers import (
    ContactAttemptCreateSerializer,
    ContactAttemptSerializer,
    MeetingCreateSerializer,
    MeetingDetailSerializer,
    MeetingSerializer,
    MemberFilterSerializer,
    MemberRevealedSerializer,
    MemberRevealSerializer,
    MemberSerializer,
    OrganisationSerializer,
)
from web.api.views.base import Ordering, query_filters
from web.api.views.members import MemberCreate, MemberEdit
from web.typing import AuthedApiRequest


@extend_schema(tags=["organisations"])
class OrganisationList(generics.ListAPIView[Organisation]):
    serializer_class = OrganisationSerializer
    pagination_class = Cursor
    filter_backends = [Ordering]
    ordering_fields = ["id", "name", "path"]
    ordering = ["path"]

    def get_queryset(self) -> QuerySet[Organisation]:
        return organisation_list_for_user(user=self.request.user)


@extend_schema(tags=["organisations"])
class OrganisationDetail(generics.GenericAPIView[Organisation]):
    serializer_class = OrganisationSerializer

    def get(self, request: Request, pk: int) -> Response:
        organisation = organisation_get_for_user(user=request.user, pk=pk)
        return Response(OrganisationSerializer(organisation).data)


@extend_schema(tags=["members"], parameters=[MemberFilterSerializer])
class MemberList(MemberCreate, generics.ListAPIView[Member]):
    """Members of the caller's subtrees, personal data masked (liaisons see none); POST
    registers one (新增党员)."""

    serializer_class = MemberSerializer
    pagination_class = Cursor
    filter_backends = [Ordering]
    ordering_fields = ["id", "name", "last_contact_date", "join_date"]
    ordering = ["id"]

    def get_queryset(self) -> QuerySet[Member]:
        members = member_list_for_user(user=self.request.user).select_related("contact_officer")
        wanted = query_filters(MemberFilterSerializer, self.request)
        if "organisation" in wanted:
            try:
                org = organisation_get_for_user(user=self.request.user, pk=wanted["organisation"])
            except NotFound:
                return members.none()
            members = members.filter(organisation__path__startswith=org.path)
        if "status" in wanted:
            members = members.filter(status=wanted["status"])
        if "key_group" in wanted:
            members = members.alias(in_group=F("key_groups").bitand(int(wanted["key_group"])))
            members = members.filter(in_group__gt=0)
        if wanted.get("name"):
            members = members.filter(name__contains=wanted["name"])
        return members


@extend_schema(tags=["members"])
class MemberDetail(MemberEdit, generics.GenericAPIView[Member]):
    """One member (personal data masked); PATCH changes the fields sent (the member form)."""

    serializer_class = MemberSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(MemberSerializer(member_get_for_user(user=request.user, pk=pk)).data)


@extend_schema(tags=["members"])
class MemberReveal(generics.GenericAPIView[Member]):
    """Plaintext personal data through the register's audited reveal (member_reveal: the
    secretary/coordinator/administrator over the member, or the member's own contact officer)."""

    serializer_class = MemberRevealSerializer

    @extend_schema(request=MemberRevealSerializer, responses={200: MemberRevealedSerializer})
    def post(self, request: AuthedApiRequest, pk: int) -> Response:
        member = member_get_for_user(user=request.user, pk=pk)
        incoming = MemberRevealSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        revealed = member_reveal(
            member=member,
            actor=request.user,
            fields=list(incoming.validated_data.get("fields") or REVEALABLE_FIELDS),
        )
        response = Response(MemberRevealedSerializer(revealed).data)
        response["Cache-Control"] = "no-store"
        return response


@extend_schema(tags=["contact attempts"])
class ContactAttemptList(generics.GenericAPIView[ContactAttempt]):
    """A member's contact attempts; POST records one (contact_attempt_record)."""

    serializer_class = ContactAttemptSerializer
    pagination_class = Cursor

    @extend_schema(responses=ContactAttemptSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        member = member_get_for_user(user=request.user, pk=pk)
        attempts = (
            ContactAttempt.objects.filter(member_id=member.pk)
            .select_related("recorded_by")
            .order_by("-id")
        )
        page = self.paginate_queryset(attempts)
        return self.get_paginated_response(ContactAttemptSerializer(page, many=True).data)

    @extend_schema(
        request=ContactAttemptCreateSerializer, responses={201: ContactAttemptSerializer}
    )
    def post(self, request: AuthedApiRequest, pk: int) -> Response:
        member = member_get_for_user(user=request.user, pk=pk)
        incoming = ContactAttemptCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(incoming.validated_data)
        case = None
        if "case" in data:
            case = case_get_for_user(user=request.user, pk=data["case"])
        attempt = contact_attempt_record(
            member=member,
            actor=request.user,
            channel=data["channel"],
            outcome=data["outcome"],
            notes=data["notes"],
            at=data.get("at"),
            case=case,
        )
        return Response(ContactAttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["meetings"])
class MeetingList(generics.ListCreateAPIView[Meeting]):
    request: AuthedApiRequest  # past IsAuthenticated: the actor is a real user
    serializer_class = MeetingSerializer
    pagination_class = Cursor
    filter_backends = [Ordering]
    ordering_fields = ["id", "held_on"]
    ordering = ["-held_on"]

    def get_queryset(self) -> QuerySet[Meeting]:
        return meeting_list_for_user(user=self.request.user).select_related("recorded_by")

    @extend_schema(request=MeetingCreateSerializer, responses={201: MeetingDetailSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = MeetingCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        organisation = organisation_get_for_user(user=request.user, pk=data["organisation"])
        meeting = meeting_record(
            organisation=organisation,
            kind=data["kind"],
            held_on=data["held_on"],
            topic=data["topic"],
            attendance=data["attendance"],
            actor=self.request.user,
        )
        return Response(_meeting_detail(request, meeting.pk), status=status.HTTP_201_CREATED)


def _meeting_detail(request: Request, pk: int) -> Any:
    try:
        meeting = (
            meeting_list_for_user(user=request.user)
            .prefetch_related("attendance__member")
            .get(pk=pk)
        )
    except (Meeting.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("not found") from exc
    return MeetingDetailSerializer(meeting).data


@extend_schema(tags=["meetings"])
class MeetingDetail(generics.GenericAPIView[Meeting]):
    serializer_class = MeetingDetailSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(_meeting_detail(request, pk))
