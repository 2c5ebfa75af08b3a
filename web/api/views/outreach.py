"""Finding and reaching members over the API (measures 1, 3, 4, 7): member search by blind
index, data quality, confirming a record, an officer's contact duty, the branch contact card,
branch notices, and 三会一课 across branches. Same selectors and services as the screens."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, prefetch_related_objects
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from casework.access import REGISTER_ROLES, scope_paths
from casework.errors import NotFound
from casework.models import BranchContactCard, BranchNotice, Member, Organisation
from casework.selectors.data_quality import data_quality_for_user
from casework.selectors.members import member_get_for_user
from casework.selectors.organisations import organisation_get_for_user
from casework.selectors.prevention import (
    contact_duty_list_for_user,
    contact_officers_for_user,
    notice_get_for_user,
    notice_list_for_user,
    org_life_for_user,
)
from casework.selectors.search import member_search_for_user
from casework.services.branch_contact import CardPerson, branch_card_save, branch_notice_create
from casework.services.data_quality import member_info_confirm
from web.api.pagination import Cursor
from web.api.prevention_serializers import (
    CardSaveSerializer,
    CardSerializer,
    ConfirmSerializer,
    ContactDutyFilterSerializer,
    ContactDutySerializer,
    DataQualityFilterSerializer,
    DataQualitySerializer,
    InfoConfirmedSerializer,
    MemberBriefSerializer,
    NoticeCreateSerializer,
    NoticeSerializer,
    OrgLifeFilterSerializer,
    OrgLifeSerializer,
    SearchFilterSerializer,
)
from web.api.views.base import query_filters, require_writer
from web.typing import AuthedApiRequest

DATA_QUALITY_ROWS = 200


@extend_schema(tags=["members"], parameters=[SearchFilterSerializer])
class MemberSearch(generics.GenericAPIView[Member]):
    """Members of your subtrees by name (≥ 2 characters), pinyin or initials, the last 4–6 ID
    characters, a phone number or a full ID number (blind indexes; at most 50, by name)."""

    serializer_class = MemberBriefSerializer
    pagination_class = None

    @extend_schema(responses=MemberBriefSerializer(many=True))
    def get(self, request: Request) -> Response:
        query = query_filters(SearchFilterSerializer, request)["q"]
        members = list(member_search_for_user(user=request.user, query=query))
        prefetch_related_objects(members, "contact_officer")  # the names: one query
        return Response(MemberBriefSerializer(members, many=True).data)


@extend_schema(tags=["members"])
class MemberConfirm(generics.GenericAPIView[Member]):
    """The record was checked with the member (信息核对); audited."""

    serializer_class = ConfirmSerializer

    @extend_schema(request=ConfirmSerializer, responses=InfoConfirmedSerializer)
    def post(self, request: AuthedApiRequest, pk: int) -> Response:
        member = member_get_for_user(user=request.user, pk=pk)
        require_writer(request.user, member.organisation)
        incoming = ConfirmSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        member = member_info_confirm(
            member=member,
            actor=request.user,
            confirmed_on=incoming.validated_data.get("confirmed_on"),
        )
        return Response(InfoConfirmedSerializer(member).data)


def _default_organisation(request: Request) -> int:
    paths = scope_paths(request.user, REGISTER_ROLES)
    first = Organisation.objects.filter(path__in=paths).order_by("path").first()
    if first is None:
        raise NotFound("not found")
    return first.pk


@extend_schema(
    tags=["data quality"], parameters=[DataQualityFilterSerializer], responses=DataQualitySerializer
)
class DataQuality(generics.GenericAPIView[Member]):
    """Gaps in the register of an organisation's subtree (default: your top organisation):
    counts per issue and the first members concerned, masked."""

    serializer_class = DataQualitySerializer

    def get(self, request: Request) -> Response:
        filters = query_filters(DataQualityFilterSerializer, request)
        quality = data_quality_for_user(
            user=request.user,
            organisation_id=filters.get("organisation") or _default_organisation(request),
            issue=filters.get("issue", ""),
            today=timezone.localdate(),
        )
        members = list(quality.members[:DATA_QUALITY_ROWS])
        prefetch_related_objects(members, "contact_officer")  # the names: one query
        for member in members:
            member.issues = quality.issues_of(member)  # type: ignore[attr-defined]
        body = {
            "organisation": quality.organisation.pk,
            "total": quality.total,
            "counts": quality.counts,
            "unconfirmed_since": quality.unconfirmed_since,
            "members": members,
        }
        return Response(DataQualitySerializer(body).data)


@extend_schema(tags=["contact duty"], parameters=[ContactDutyFilterSerializer])
class ContactDuty(generics.GenericAPIView[Member]):
    """A contact officer's members (default: yours) with their cadence and next contact due,
    soonest first (at most 500)."""

    serializer_class = ContactDutySerializer
    pagination_class = None

    @extend_schema(responses=ContactDutySerializer(many=True))
    def get(self, request: Request) -> Response:
        filters = query_filters(ContactDutyFilterSerializer, request)
        officer = filters.get("officer", request.user.pk)
        officers = contact_officers_for_user(user=request.user)
        if officer != request.user.pk and not officers.filter(pk=officer).exists():
            raise NotFound("not found")
        members = list(
            contact_duty_list_for_user(
                user=request.user, as_of=timezone.localdate(), officer_id=officer
            )[:500]
        )
        prefetch_related_objects(members, "contact_officer")  # the names: one query
        return Response(ContactDutySerializer(members, many=True).data)


@extend_schema(tags=["contact card"])
class OrganisationCard(generics.GenericAPIView[BranchContactCard]):
    """The branch's contact card (404 until saved); PUT replaces it."""

    serializer_class = CardSerializer

    def get(self, request: Request, pk: int) -> Response:
        organisation = organisation_get_for_user(user=request.user, pk=pk)
        card = BranchContactCard.objects.filter(organisation=organisation).first()
        if card is None:
            raise NotFound("not found")
        return Response(CardSerializer(card).data)

    @extend_schema(request=CardSaveSerializer, responses=CardSerializer)
    def put(self, request: AuthedApiRequest, pk: int) -> Response:
        organisation = organisation_get_for_user(user=request.user, pk=pk)
        require_writer(request.user, organisation)
        incoming = CardSaveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        people = [CardPerson(**person) for person in data.pop("people")]
        card = branch_card_save(
            organisation=organisation,
            actor=request.user,
            people=people,
            **data,
        )
        return Response(CardSerializer(card).data)


@extend_schema(tags=["notices"])
class NoticeList(generics.ListCreateAPIView[BranchNotice]):
    """Branch notices with delivery counts; POST sends one to every member of the
    organisation's subtree (each message a contact attempt)."""

    request: AuthedApiRequest  # past IsAuthenticated: the actor is a real user

    serializer_class = NoticeSerializer
    pagination_class = Cursor

    def get_queryset(self) -> QuerySet[BranchNotice]:
        return notice_list_for_user(user=self.request.user)

    @extend_schema(request=NoticeCreateSerializer, responses={201: NoticeSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = NoticeCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        organisation = organisation_get_for_user(user=request.user, pk=data.pop("organisation"))
        require_writer(request.user, organisation)
        notice = branch_notice_create(
            organisation=organisation,
            actor=self.request.user,
            **data,
        )
        body = NoticeSerializer(notice_get_for_user(user=request.user, pk=notice.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=["notices"])
class NoticeDetail(generics.GenericAPIView[BranchNotice]):
    serializer_class = NoticeSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(NoticeSerializer(notice_get_for_user(user=request.user, pk=pk)).data)


@extend_schema(
    tags=["organisational life"],
    parameters=[OrgLifeFilterSerializer],
    responses=OrgLifeSerializer(many=True),
)
class OrgLife(generics.GenericAPIView[Organisation]):
    """三会一课 per branch of your scope (or of an organisation's subtree): the latest meeting
    of each kind and whether it is within the rule set's cadence (first 500 branches)."""

    serializer_class = OrgLifeSerializer
    pagination_class = None

    def get(self, request: Request) -> Response:
        filters = query_filters(OrgLifeFilterSerializer, request)
        organisation = None
        if "organisation" in filters:
            organisation = organisation_get_for_user(user=request.user, pk=filters["organisation"])
        today = timezone.localdate()
        branches, limits = org_life_for_user(
            user=request.user, as_of=today, organisation=organisation
        )
        rows = []
        for branch in branches[:500]:
            last = {kind: getattr(branch, f"last_{kind}") for kind in sorted(limits)}
            on_time = {kind: day is not None and day > limits[kind] for kind, day in last.items()}
            rows.append(
                {
                    "organisation": branch.pk,
                    "name": branch.name,
                    "last_meetings": last,
                    "on_schedule": on_time,
                    "compliant": all(on_time.values()),
                    "last_roll_call": getattr(branch, "last_roll_call", None),
                }
            )
        return Response(OrgLifeSerializer(rows, many=True).data)
