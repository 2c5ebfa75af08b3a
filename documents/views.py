"""Public verification pages and the scoped, audited download."""

from __future__ import annotations

import logging
import shutil
import subprocess

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from casework.errors import Conflict, DomainError, NotFound, PermissionDenied
from documents.selectors import (
    Verification,
    document_get_for_user,
    verification_by_bytes,
    verification_by_code,
)
from documents.services import document_download, document_reissue, document_void

MAX_UPLOAD = 20 * 1024 * 1024
PREVIEW_WIDTH = 900  # pixels; the case page shows it at card width
log = logging.getLogger(__name__)


class VerifyUploadForm(forms.Form):
    file = forms.FileField(label=_("上传PDF文件"))

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件过大（不超过20MB）"))
        return bytes(upload.read())


@require_http_methods(["GET", "POST"])
def verify_upload(request: HttpRequest) -> HttpResponse:
    """/verify/: upload a PDF; the answer says whether its bytes match an issued document."""
    result: Verification | None = None
    checked = False
    if request.method == "POST":
        form = VerifyUploadForm(request.POST, request.FILES)
        if form.is_valid():
            checked = True
            result = verification_by_bytes(form.cleaned_data["file"])
    else:
        form = VerifyUploadForm()
    return render(
        request,
        "documents/verify/page.html",
        {"form": form, "result": result, "checked": checked, "by_upload": True},
        status=200,
    )


@require_http_methods(["GET"])
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """/verify/<code>: the page the QR code on every issued document leads to."""
    result = verification_by_code(code)
    return render(
        request,
        "documents/verify/page.html",
        {"form": VerifyUploadForm(), "result": result, "checked": True, "by_upload": False},
        status=200 if result else 404,
    )


@login_required
@require_http_methods(["GET"])
def download(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        document = document_get_for_user(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    try:
        data = document_download(document=document, actor=request.user)
    except Conflict as exc:
        return HttpResponse(str(exc.message), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="document-{document.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def void(request: HttpRequest, pk: int) -> HttpResponse:
    """The case page's 作废: void an issued document with a reason (document_void, the
    issuer's staff), then back to the case."""
    try:
        document = document_get_for_user(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    back = f"/cases/{document.case_id}/#documents" if document.case_id else "/"
    try:
        document_void(
            document=document,
            actor=request.user,
            reason=request.POST.get("reason", "")[:500],
        )
    except PermissionDenied as exc:
        return HttpResponse(str(exc.message), status=403, content_type="text/plain; charset=utf-8")
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("文书已作废。"))
    return HttpResponseRedirect(back)


@login_required
@require_POST
def reissue(request: HttpRequest, pk: int) -> HttpResponse:
    """The case page's 重新签发更正文书 on a voided document: document_reissue (a new number
    pointing to the voided one, the issuer's staff), then back to the case."""
    try:
        document = document_get_for_user(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    back = f"/cases/{document.case_id}/#documents" if document.case_id else "/"
    try:
        correction = document_reissue(document=document, actor=request.user)
    except PermissionDenied as exc:
        return HttpResponse(str(exc.message), status=403, content_type="text/plain; charset=utf-8")
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("已重新签发更正文书%(number)s。") % {"number": correction.number or ""},
        )
    return HttpResponseRedirect(back)


def _first_page_png(pdf: bytes) -> bytes | None:
    """The first page as PNG through poppler's pdftoppm (installed with the system packages);
    None when it is missing or fails (the page then offers the download only)."""
    binary = shutil.which("pdftoppm")
    if binary is None:
        return None
    try:
        done = subprocess.run(  # noqa: S603 — fixed arguments, the PDF on stdin
            [
                binary,
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-scale-to",
                str(PREVIEW_WIDTH),
                "-singlefile",
                "-",
            ],
            input=pdf,
            capture_output=True,
            timeout=30,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        log.warning("pdftoppm failed on a document preview", exc_info=True)
        return None
    return done.stdout or None


@login_required
@require_http_methods(["GET"])
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The first page of a document as an image, for the case page. Reading the bytes goes
    through the same scoped, hash-checked and audited service as the download."""
    try:
        document = document_get_for_user(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404 from exc
    try:
        data = document_download(document=document, actor=request.user)
    except Conflict as exc:
        return HttpResponse(str(exc.message), status=409, content_type="text/plain; charset=utf-8")
    png = _first_page_png(data)
    if png is None:
        return HttpResponse(
            str(_("无法生成预览，请下载查看。")),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response
