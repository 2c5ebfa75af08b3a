"""Prevention ledgers over the API (measures 2, 7, 8): the ledger keeper and handovers with
their record, going-abroad and mobile members with pre-departure talks, roll calls, training
and the branch's letters. Same selectors and services as the screens: out of scope → 404,
read-only roles → 403, refusals → 400/409 problem details."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from casework.errors import NotFound
from casework.models import AbroadRecord, LedgerHandover, MobileRecord, RollCall, TrainingRecord
from casework.selectors.members import member_get_for_user
from casework.selectors.organisations import organisation_get_for_user
from casework.selectors.prevention import (
    abroad_get_for_user,
    abroad_list_for_user,
    handover_get_for_user,
    handover_list_for_user,
    keeper_status,
    letter_rounds_for_user,
    mobile_get_for_user,
    mobile_list_for_user,
    roll_call_get_for_user,
    roll_call_list_for_user,
    training_list_for_user,
)
from casework.services.education import training_record
from casework.services.ledgers import (
    TalkData,
    abroad_record_create,
    abroad_return_record,
    departure_talk_record,
    ledger_handover_confirm,
    ledger_handover_start,
    ledger_keeper_assign,
    mobile_certificate_renew,
    mobile_certificate_return,
    mobile_record_create,
    mobile_report_record,
    roll_call_record,
)
from documents.models import Document
from documents.prevention import handover_record_issue, member_letters_send
from documents.services import document_download
from web.api.pagination import Cursor
from web.api.prevention_serializers import (
    AbroadCreateSerializer,
    AbroadSerializer,
    DaySerializer,
    DepartureTalkCreateSerializer,
    DepartureTalkSerializer,
    HandoverCreateSerializer,
    HandoverSerializer,
    IssuedDocumentSerializer,
    KeeperAssignSerializer,
    KeeperSerializer,
    LetterRoundSerializer,
    MobileCreateSerializer,
    MobileSerializer,
    RenewSerializer,
    RollCallCreateSerializer,
    RollCallDetailSerializer,
    RollCallSerializer,
    TrainingCreateSerializer,
    TrainingSerializer,
)
from web.api.views.base import require_writer
from web.typing import AuthedApiRequest


def _valid(serializer_class: Any, request: Request) -> Any:
    incoming = serializer_class(data=request.data)
    incoming.is_valid(raise_exception=True)
    return incoming.validated_data


def _staff_user(pk: int) -> Any:
    """A user named in a payload; whether they may act is the service's decision."""
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise NotFound("not found")
    return user


# --- keeper and handovers ------------------------------------------------------------------------


def _keeper_data(organisation: Any) -> dict[str, Any]:
    state = keeper_status(organisation)
    return {
        "organisation": organisation.pk,
        "keeper": state.keeper.keeper_id if state.keeper else None,
        "since": state.keeper.since if state.keeper else None,
        "absent": state.absent,
    }


@extend_schema(tags=["ledgers"])
class OrganisationKeeper(generics.GenericAPIView[Any]):
    """The keeper of an organisation's ledgers (absent: none, or no longer there); POST names
    the first keeper (later changes go through a handover)."""

    serializer_class = KeeperSerializer

    def get(self, request: Request, pk: int) -> Response:
        organisation = organisation_get_for_user(user=request.user, pk=pk)
        return Response(KeeperSerializer(_keeper_data(organisation)).data)

    @extend_schema(request=KeeperAssignSerializer, responses={201: KeeperSerializer})
    def post(self, request: AuthedApiRequest, pk: int) -> Response:
        organisation = organisation_get_for_user(user=request.user, pk=pk)
        require_writer(request.user, organisation)
        data = _valid(KeeperAssignSerializer, request)
        ledger_keeper_assign(
            organisation=organisation,
            keeper=_staff_user(data["keeper"]),
            since=data["since"],
            actor=request.user,
        )
        body = KeeperSerializer(_keeper_data(organisation)).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=["ledgers"])
class HandoverList(generics.ListCreateAPIView[LedgerHandover]):
    request: AuthedApiRequest  # past IsAuthenticated: the actor is a real user
    serializer_class = HandoverSerializer
    pagination_class = Cursor

    def get_queryset(self) -> QuerySet[LedgerHandover]:
        return handover_list_for_user(user=self.request.user)

    @extend_schema(request=HandoverCreateSerializer, responses={201: HandoverSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(HandoverCreateSerializer, request)
        organisation = organisation_get_for_user(user=request.user, pk=data["organisation"])
        require_writer(request.user, organisation)
        handover = ledger_handover_start(
            organisation=organisation,
            to_user=_staff_user(data["to_user"]),
            handed_over_on=data["handed_over_on"],
            items=data["items"],
            ledgers=list(data["ledgers"]),
            checked=list(data["checked"]),
            witness=_staff_user(data["witness"]) if "witness" in data else None,
            actor=self.request.user,
        )
        return Response(HandoverSerializer(handover).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["ledgers"])
class HandoverDetail(generics.GenericAPIView[LedgerHandover]):
    serializer_class = HandoverSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(HandoverSerializer(handover_get_for_user(user=request.user, pk=pk)).data)


@extend_schema(tags=["ledgers"])
class HandoverConfirm(generics.GenericAPIView[LedgerHandover]):
    """The giver or the receiver confirms (signs); with both the keeper changes."""

    serializer_class = HandoverSerializer

    @extend_schema(request=None, responses=HandoverSerializer)
    def post(self, request: AuthedApiRequest, pk: int) -> Response:
        handover = handover_get_for_user(user=request.user, pk=pk)
        handover = ledger_handover_confirm(handover=handover, actor=request.user)
        return Response(HandoverSerializer(handover).data)


@extend_schema(tags=["ledgers"])
class HandoverRecord(generics.GenericAPIView[LedgerHandover]):
    """POST issues the handover record (once); GET downloads its PDF (audited; 409 while it
    is being rendered, 404 before it is issued)."""

    serializer_class = IssuedDocumentSerializer

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request: Request, pk: int) -> HttpResponse:
        handover = handover_get_for_user(user=request.user, pk=pk)
        document_id = handover.record_document_id
        document = Document.objects.filter(pk=document_id).first() if document_id else None
        if document is None:
            raise NotFound("not found")
        data = document_download(document=document, actor=request.user)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="document-{document.pk}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(request=None, responses={201: IssuedDocumentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        handover = handover_get_for_user(user=request.user, pk=pk)
        require_writer(request.user, handover.organisation)
        document = handover_record_issue(handover=handover, actor=request.user)
        return Response(IssuedDocumentSerializer(document).data, status=status.HTTP_201_CREATED)


# --- going abroad and mobile members --------------------------------------------------------------


@extend_schema(tags=["ledgers"])
class AbroadList(generics.ListCreateAPIView[AbroadRecord]):
    """The going-abroad ledger; POST records a going-abroad report."""

    request: AuthedApiRequest  # past IsAuthenticated: the actor is a real user

    serializer_class = AbroadSerializer
    pagination_class = Cursor

    def get_queryset(self) -> QuerySet[AbroadRecord]:
        return abroad_list_for_user(user=self.request.user)

    @extend_schema(request=AbroadCreateSerializer, responses={201: AbroadSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = dict(_valid(AbroadCreateSerializer, request))
        member = member_get_for_user(user=request.user, pk=data.pop("member"))
        require_writer(request.user, member.organisation)
        record = abroad_record_create(member=member, actor=self.request.user, **data)
        return Response(AbroadSerializer(record).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["ledgers"])
class AbroadReturn(generics.GenericAPIView[AbroadRecord]):
    serializer_class = AbroadSerializer

    @extend_schema(request=DaySerializer, responses=AbroadSerializer)
    def post(self, request: AuthedApiRequest, pk: int) -> Response:
        record = abroad_get_for_user(user=request.user, pk=pk)
        require_writer(request.user, record.member.organisation)
        data = _valid(DaySerializer, request)
        record = abroad_return_record(record=record, returned_on=data["day"], actor=request.user)
        return Response(AbroadSerializer(record).data)


@extend_schema(tags=["ledgers"])
class MobileList(generics.ListCreateAPIView[MobileRecord]):
    """The mobile-member ledger; POST issues a certificate (with the pre-departure talk when
    the member leaves for six months or more)."""

    request: AuthedApiRequest  # past IsAuthenticated: the actor is a real user

    serializer_class = MobileSerializer
    pagination_class = Cursor

    def get_queryset(self) -> QuerySet[MobileRecord]:
        return mobile_list_for_user(user=self.request.user)

    @extend_schema(request=MobileCreateSerializer, responses={201: MobileSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = dict(_valid(MobileCreateSerializer, request))
        member = member_get_for_user(user=request.user, pk=data.pop("member"))
        require_writer(request.user, member.organisation)
        talk = data.pop("talk", None)
        record = mobile_record_create(
            member=member,
            actor=self.request.user,
            talk=TalkData(
                talked_on=talk["talked_on"],
                talker=_staff_user(talk["talker"]),
                content=talk["content"],
            )
            if talk
            else None,
            **data,
        )
        return Response(MobileSerializer(record).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["ledgers"])
class MobileDetail(generics.GenericAPIView[MobileRecord]):
    serializer_class = MobileSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(MobileSerializer(mobile_get_for_user(user=request.user, pk=pk)).data)


@extend_schema(tags=["ledgers"])
class MobileAction(generics.GenericAPIView[MobileRecord]):
    """report: the six-monthly report; return: the certificate came back."""

    serializer_class = MobileSerializer
    action = "report"

    @extend_schema(request=DaySerializer, responses=MobileSerializer)
    def post(self, request: AuthedApiRequest, pk: int) -> Response:
        record = mobile_get_for_user(user=request.user, pk=pk)
        require_writer(request.user, record.member.organisation)
        day = _valid(DaySerializer, request)["day"]
        if self.action == "return":
            record = mobile_certificate_return(record=record, returned_on=day, actor=request.user)
        else:
            record = mobile_report_record(record=record, reported_on=day, actor=request.user)
        return Response(MobileSerializer(record).data)


@extend_schema(tags=["ledgers"])
class MobileRenew(generics.GenericAPIView[MobileRecord]):
    serializer_class = MobileSerializer

    @extend_schema(request=RenewSerializer, responses=MobileSerializer)
    def post(self, request: AuthedApiRequest, pk: int) -> Response:
        record = mobile_get_for_user(user=request.user, pk=pk)
        require_writer(request.user, record.member.organisation)
        data = _valid(RenewSerializer, request)
        record = mobile_certificate_renew(record=record, actor=request.user, **data)
        return Response(MobileSerializer(record).data)


@extend_schema(tags=["ledgers"])
class DepartureTalks(generics.GenericAPIView[Any]):
    """POST records a pre-departure talk with a member (before the certificate, or for a
    member going elsewhere for six months or more)."""

    serializer_class = DepartureTalkSerializer

    @extend_schema(request=DepartureTalkCreateSerializer, responses={201: DepartureTalkSerializer})
    def post(self, request: AuthedApiRequest, pk: int) -> Response:
        member = member_get_for_user(user=request.user, pk=pk)
        require_writer(request.user, member.organisation)
        data = _valid(DepartureTalkCreateSerializer, request)
        talk = departure_talk_record(
            member=member,
            talk=TalkData(
                talked_on=data["talked_on"],
                talker=_staff_user(data["talker"]),
                content=data["content"],
            ),
            destination=data["destination"],
            expected_months=data["expected_months"],
            actor=request.user,
        )
        return Response(DepartureTalkSerializer(talk).data, status=status.HTTP_201_CREATED)


# --- roll calls, training, letters ----------------------------------------------------------------


@extend_schema(tags=["organisational life"])
class RollCallList(generics.ListCreateAPIView[RollCall]):
    """Roll calls with how many answered; POST records one (silence → follow-up at once)."""

    request: AuthedApiRequest  # past IsAuthenticated: the actor is a real user

    serializer_class = RollCallSerializer
    pagination_class = Cursor

    def get_queryset(self) -> QuerySet[RollCall]:
        return roll_call_list_for_user(user=self.request.user)

    @extend_schema(request=RollCallCreateSerializer, responses={201: RollCallDetailSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(RollCallCreateSerializer, request)
        organisation = organisation_get_for_user(user=request.user, pk=data["organisation"])
        require_writer(request.user, organisation)
        roll_call = roll_call_record(
            organisation=organisation,
            held_on=data["held_on"],
            note=data["note"],
            answered=data["answers"],
            actor=self.request.user,
        )
        body = RollCallDetailSerializer(
            roll_call_get_for_user(user=request.user, pk=roll_call.pk)
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=["organisational life"])
class RollCallDetail(generics.GenericAPIView[RollCall]):
    serializer_class = RollCallDetailSerializer

    def get(self, request: Request, pk: int) -> Response:
        roll_call = roll_call_get_for_user(user=request.user, pk=pk)
        return Response(RollCallDetailSerializer(roll_call).data)


@extend_schema(tags=["education"])
class TrainingList(generics.ListCreateAPIView[TrainingRecord]):
    """Training records per member; POST records one session for several members."""

    request: AuthedApiRequest  # past IsAuthenticated: the actor is a real user

    serializer_class = TrainingSerializer
    pagination_class = Cursor

    def get_queryset(self) -> QuerySet[TrainingRecord]:
        return training_list_for_user(user=self.request.user)

    @extend_schema(request=TrainingCreateSerializer, responses={201: TrainingSerializer(many=True)})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(TrainingCreateSerializer, request)
        organisation = organisation_get_for_user(user=request.user, pk=data["organisation"])
        require_writer(request.user, organisation)
        records = training_record(
            organisation=organisation,
            kind=data["kind"],
            topic=data["topic"],
            trained_on=data["trained_on"],
            hours=data.get("hours"),
            member_ids=list(data["members"]),
            actor=self.request.user,
        )
        return Response(TrainingSerializer(records, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["education"])
class LetterRoundList(generics.ListAPIView[Any]):
    serializer_class = LetterRoundSerializer
    pagination_class = Cursor

    def get_queryset(self) -> QuerySet[Any]:
        return letter_rounds_for_user(user=self.request.user)


@extend_schema(tags=["education"])
class OrganisationLetters(generics.GenericAPIView[Any]):
    """POST: the branch writes to each of its outgoing (mobile or abroad) members today —
    one member_letter each, logged as contact by letter (409 when already sent today)."""

    serializer_class = LetterRoundSerializer

    @extend_schema(request=None, responses={201: LetterRoundSerializer})
    def post(self, request: Request, pk: int) -> Response:
        organisation = organisation_get_for_user(user=request.user, pk=pk)
        require_writer(request.user, organisation)
        letter_round = member_letters_send(organisation=organisation, actor=request.user)
        return Response(LetterRoundSerializer(letter_round).data, status=status.HTTP_201_CREATED)
