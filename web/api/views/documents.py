"""Document metadata, the audited PDF download, and public verification (code or upload)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import APIException
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from casework.errors import NotFound
from documents import views as document_pages
from documents.models import Document
from documents.selectors import (
    document_get_for_user,
    document_list_for_user,
    verification_by_bytes,
    verification_by_code,
)
from documents.services import document_download, document_reissue, document_void
from documents.views import _first_page_png as first_page_png
from web.api.errors import PayloadTooLarge
from web.api.pagination import Cursor
from web.api.serializers import (
    DocumentFilterSerializer,
    DocumentSerializer,
    VerificationSerializer,
    VerificationUploadSerializer,
)
from web.api.strict import ConformsToSchema
from web.api.throttles import VerifyThrottle
from web.api.views.base import Ordering, query_filters


@extend_schema(tags=["documents"], parameters=[DocumentFilterSerializer])
class DocumentList(generics.ListAPIView[Document]):
    serializer_class = DocumentSerializer
    pagination_class = Cursor
    filter_backends = [Ordering]
    ordering_fields = ["id", "created_at", "issued_on"]
    ordering = ["-id"]

    def get_queryset(self) -> Any:
        documents = document_list_for_user(user=self.request.user)
        wanted = query_filters(DocumentFilterSerializer, self.request)
        if "status" in wanted:
            documents = documents.filter(status=wanted["status"])
        if "case" in wanted:
            documents = documents.filter(case_id=wanted["case"])
        return documents


@extend_schema(tags=["documents"])
class DocumentDetail(generics.GenericAPIView[Document]):
    serializer_class = DocumentSerializer

    def get(self, request: Request, pk: int) -> Response:
        return Response(DocumentSerializer(document_get_for_user(user=request.user, pk=pk)).data)


@extend_schema(
    tags=["documents"],
    responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
)
class DocumentPdf(generics.GenericAPIView[Document]):
    """The stored PDF, checked against its hash; every download is audited (409 while
    the document is still being rendered)."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return super().perform_content_negotiation(request, force=True)

    def get(self, request: Request, pk: int) -> HttpResponse:
        document = document_get_for_user(user=request.user, pk=pk)
        data = document_download(document=document, actor=request.user)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="document-{document.pk}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response


class PreviewUnavailable(APIException):
    status_code = 503
    default_detail = _("无法生成预览，请下载查看。")
    default_code = "preview_unavailable"


@extend_schema(
    tags=["documents"],
    responses={
        (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY),
        (503, "application/problem+json"): OpenApiResponse(
            {"$ref": "#/components/schemas/Problem"}, description="no previewer on the server"
        ),
    },
)
class DocumentPreview(generics.GenericAPIView[Document]):
    """The first page as a PNG (the case page's preview): read through the same scoped,
    hash-checked and audited download; 409 while the document is being rendered."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        return super().perform_content_negotiation(request, force=True)

    def get(self, request: Request, pk: int) -> HttpResponse:
        document = document_get_for_user(user=request.user, pk=pk)
        png = first_page_png(document_download(document=document, actor=request.user))
        if png is None:
            raise PreviewUnavailable()
        response = HttpResponse(png, content_type="image/png")
        response["Cache-Control"] = "private, no-store"
        return response


class DocumentVoidSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500)


@extend_schema(
    tags=["documents"], request=DocumentVoidSerializer, responses={200: DocumentSerializer}
)
class DocumentVoid(generics.GenericAPIView[Document]):
    """Void an issued document with a reason (document_void: the issuer's staff; its number
    is never reused); 409 when already voided."""

    serializer_class = DocumentVoidSerializer

    def post(self, request: Request, pk: int) -> Response:
        document = document_get_for_user(user=request.user, pk=pk)
        incoming = DocumentVoidSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        document_void(
            document=document,
            actor=request.user,
            reason=incoming.validated_data["reason"],
        )
        return Response(DocumentSerializer(document_get_for_user(user=request.user, pk=pk)).data)


@extend_schema(tags=["documents"], request=None, responses={201: DocumentSerializer})
class DocumentReplace(generics.GenericAPIView[Document]):
    """Issue the correction of a voided document (the case page's 重新签发更正文书,
    document_reissue): a new number, its `replaces` the voided document, its text naming the
    voided number; 403 outside the issuer's staff, refused when the document is not voided or
    already has its correction."""

    def post(self, request: Request, pk: int) -> Response:
        document = document_get_for_user(user=request.user, pk=pk)
        correction = document_reissue(document=document, actor=request.user)
        return Response(DocumentSerializer(correction).data, status=201)


@extend_schema(tags=["verification"], auth=[], responses=VerificationSerializer)
class VerifyByCode(generics.GenericAPIView[Document]):
    """Public: what the QR code on a document leads to (no personal data)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny, ConformsToSchema]
    throttle_classes = [VerifyThrottle]
    serializer_class = VerificationSerializer

    def get(self, request: Request, code: str) -> Response:
        result = verification_by_code(code)
        if result is None:
            raise NotFound("not found")
        return Response(VerificationSerializer(result).data)


@extend_schema(
    tags=["verification"],
    auth=[],
    request={"multipart/form-data": VerificationUploadSerializer},
    responses=VerificationSerializer,
)
class VerifyByUpload(generics.GenericAPIView[Document]):
    """Public: do these PDF bytes match an issued document? (413 above the upload limit)"""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny, ConformsToSchema]
    throttle_classes = [VerifyThrottle]
    parser_classes = [MultiPartParser]
    serializer_class = VerificationUploadSerializer

    def post(self, request: Request) -> Response:
        limit = document_pages.MAX_UPLOAD
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > limit + 64 * 1024:
            raise PayloadTooLarge()
        incoming = VerificationUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        upload = incoming.validated_data["file"]
        if upload.size > limit:
            raise PayloadTooLarge()
        result = verification_by_bytes(upload.read())
        if result is None:
            raise NotFound("not found")
        return Response(VerificationSerializer(result).data)
