"""The caller's API tokens (create — shown once —, list, revoke) and the password exchange."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from web.api.models import ApiToken
from web.api.serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    PasswordLoginSerializer,
)
from web.api.strict import ConformsToSchema
from web.api.throttles import AuthThrottle, TokenThrottle
from web.api.tokens import api_token_create, api_token_revoke
from web.typing import AuthedApiRequest


def _created(token: ApiToken, plaintext: str) -> Response:
    body = ApiTokenCreatedSerializer(token).data
    body["token"] = plaintext
    response = Response(body, status=status.HTTP_201_CREATED)
    response["Cache-Control"] = "no-store"
    return response


@extend_schema(tags=["tokens"])
class TokenList(generics.ListAPIView[ApiToken]):
    serializer_class = ApiTokenSerializer
    throttle_classes = [TokenThrottle]

    def get_queryset(self) -> QuerySet[ApiToken]:
        return ApiToken.objects.filter(user_id=int(self.request.user.pk or 0)).order_by("-id")

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: ApiTokenCreatedSerializer})
    def post(self, request: AuthedApiRequest) -> Response:
        incoming = ApiTokenCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        token, plaintext = api_token_create(
            user=request.user,
            name=incoming.validated_data["name"],
        )
        return _created(token, plaintext)


@extend_schema(tags=["tokens"])
class TokenDetail(generics.GenericAPIView[ApiToken]):
    serializer_class = ApiTokenSerializer
    throttle_classes = [TokenThrottle]

    @extend_schema(responses={204: None})
    def delete(self, request: AuthedApiRequest, pk: int) -> Response:
        api_token_revoke(user=request.user, pk=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    tags=["tokens"],
    auth=[],
    request=PasswordLoginSerializer,
    responses={201: ApiTokenCreatedSerializer},
)
class PasswordTokenExchange(generics.GenericAPIView[ApiToken]):
    """Username + password → a new named token (rate-limited; lockout rules apply)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny, ConformsToSchema]
    throttle_classes = [AuthThrottle]
    serializer_class = PasswordLoginSerializer

    def get_authenticate_header(self, request: Request) -> str:
        return "Bearer"  # wrong credentials are a 401 here, not a 403

    def post(self, request: Request) -> Response:
        incoming = PasswordLoginSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(_("用户名或密码错误。"))
        token, plaintext = api_token_create(user=user, name=data["name"])
        return _created(token, plaintext)
