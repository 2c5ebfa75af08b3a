"""Formal documents: the service API the workflow layer calls at each case step.

The documents app knows nothing about flows. Callers use documents.issuing, which builds a
kind's context from the case's records (documents.facts) and its organs (documents.organs)
and calls `document_issue` with the issuing Organisation (its `doc_code` 机关代字 and
`issuer_name` 发文机关标志 are printed), the JSON-serialisable context and optional
case/member.

    document_draft_preview(*, kind, issuer, context) -> bytes
        PDF with a 草稿 watermark and no number; nothing is stored or counted.

    document_issue(*, kind, issuer, context, actor, case=None, member=None, replaces=None,
                   issued_on=None) -> Document
        One short transaction: a numbered kind takes the next serial from the DocumentCounter row of
        (issuer.doc_code, series, year) with one locking upsert (gap-free, unique) — forms and
        records carry no number —, inserts the Document (status "pending", number like
        榕委组函〔2026〕12号 with the series suffix of the issuer's profile, a verification
        code), the audit event `document.issue` and an outbox message (DOCUMENT_RENDER, the id
        only). After commit the worker renders the PDF/A-2b, stores the bytes through Django's
        storage API, records SHA-256 and sets status "issued"; the outbox retries a failing
        render with backoff (status "render_failed" with the error meanwhile), and
        `document_retry_render` queues it again by hand.
        `replaces` must be a voided document of the same kind: the correction gets a new
        number and points to it (`replaced.replaced_by`).

    document_void(*, document, actor, reason) -> Document
        Status "voided", reason recorded, audit `document.void`. The stored bytes stay.

    document_reissue(*, document, actor) -> Document
        The correction (重新签发更正文书) of a voided document: document_issue with
        `replaces=document`, its kind, issuer, case and member, its stored context dated
        today and a closing line naming the voided document's number. Refused unless the
        document is voided and not yet replaced, and unless the actor may write for its issuer.

    document_retry_render(*, document, actor) -> Document
        Re-queue the render of a document whose render failed (audit `document.render_retry`).

    document_download(*, document, actor) -> bytes
        The stored bytes (checked against the recorded SHA-256), audit `document.download`.

Selectors (documents/selectors.py): document_list_for_user(*, user),
document_get_for_user(*, user, pk) — scoped like cases (the case's organisation path, or the
issuing organisation's path, via casework.access.scope_q); out of scope is NotFound.
Public verification (no personal data): verification_by_code(code),
verification_by_bytes(data).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.access import WRITE_ROLES, User, has_role_over
from casework.audit import audit_record
from casework.errors import Conflict, DomainError, PermissionDenied
from casework.models import Case, Member, Organisation
from casework.outbox import outbox_enqueue
from casework.transactions import atomic
from documents.kinds import DocumentKind, Series, format_number, spec_for
from documents.models import Document, DocumentCounter, DocumentStatus, issuer_profile
from documents.render import Issuer, date_cn, document_language, render_pdf

log = logging.getLogger(__name__)

# Outbox kind: {"document_id": ...}; integrations runs document_render for it in the worker.
DOCUMENT_RENDER = "document.render"
VERIFY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
VERIFY_LENGTH = 12  # 60 bits


def issuer_of(organisation: Organisation) -> Issuer:
    return Issuer(
        mark=organisation.issuer_name or organisation.name,
        name=organisation.issuer_name or organisation.name,
    )


def _kind(kind: str) -> DocumentKind:
    try:
        return DocumentKind(kind)
    except ValueError as exc:
        raise DomainError(_("未知的文书类型"), code="unknown_kind") from exc


def _context_json(context: dict[str, Any]) -> str:
    try:
        return json.dumps(context, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise DomainError(_("文书内容格式不正确"), code="bad_context") from exc


def _check_actor(actor: User | None, organisation: Organisation) -> None:
    """None means the system (a task); a user needs a write role over the issuer."""
    if actor is not None and not has_role_over(actor, organisation, WRITE_ROLES):
        raise PermissionDenied(_("您无权以该组织名义发文"))


def new_verify_code() -> str:
    return "".join(secrets.choice(VERIFY_ALPHABET) for _ in range(VERIFY_LENGTH))


def document_draft_preview(*, kind: str, issuer: Organisation, context: dict[str, Any]) -> bytes:
    """A watermarked, unnumbered PDF for review; nothing is stored or counted."""
    _context_json(context)
    return render_pdf(kind=_kind(kind).value, issuer=issuer_of(issuer), context=context, draft=True)


def _next_serial(*, doc_code: str, series: str, year: int) -> int:
    """Take the next serial of (doc_code, series, year) in one statement: an upsert that
    creates the counter row on first use and otherwise increments it, holding the row lock
    until the issuing transaction ends (gap-free: a rollback gives the serial back)."""
    table = connection.ops.quote_name(DocumentCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (doc_code, series, year, last_serial) VALUES (%s, %s, %s, 1) "  # noqa: S608
            "ON CONFLICT (doc_code, series, year) "
            f"DO UPDATE SET last_serial = {table}.last_serial + 1 RETURNING last_serial",
            [doc_code, series, year],
        )
        return int(cursor.fetchone()[0])


def document_issue(
    *,
    kind: str,
    issuer: Organisation,
    context: dict[str, Any],
    actor: User | None,
    case: Case | None = None,
    member: Member | None = None,
    replaces: Document | None = None,
    issued_on: dt.date | None = None,
) -> Document:
    """Number and record a document; it is rendered and stored after commit."""
    kind = _kind(kind).value
    series = number_series(kind, issuer)
    _check_actor(actor, issuer)
    issued_on = issued_on or timezone.localdate()
    context = {**context, "date": issued_on.isoformat()}
    context_json = _context_json(context)
    with atomic():
        if replaces is not None:
            replaces = Document.objects.select_for_update().get(pk=replaces.pk)
            if replaces.status != DocumentStatus.VOIDED or replaces.kind != kind:
                raise Conflict(_("只能替换已作废的同类文书"), code="replace_not_voided")
            if Document.objects.filter(replaces=replaces).exists():
                raise Conflict(_("该文书已有更正文书"), code="already_replaced")
        serial = number = None
        if series:
            serial = _next_serial(doc_code=issuer.doc_code, series=series, year=issued_on.year)
            number = format_number(
                doc_code=issuer.doc_code,
                suffix=_suffix(issuer, series),
                year=issued_on.year,
                serial=serial,
            )
        document = Document.objects.create(
            kind=kind,
            issuer=issuer,
            doc_code=issuer.doc_code if series else "",
            series=series,
            year=issued_on.year,
            serial=serial,
            number=number,
            verify_code=new_verify_code(),
            issued_on=issued_on,
            context_json=context_json,
            case=case,
            member=member,
            replaces=replaces,
            created_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
        )
        audit_record(
            actor=actor,
            action="document.issue",
            obj=document,
            organisation=issuer,
            after={
                "number": document.number,
                "kind": kind,
                "case": case.pk if case else None,
                "replaces": replaces.number if replaces else None,
            },
        )
        _enqueue_render(document.pk)
    return document


def number_series(kind: str, issuer: Organisation) -> str:
    """The number series of a document of `kind` by `issuer`, "" when it carries no number."""
    spec = spec_for(kind)
    if not spec.series or (spec.number_optional and not issuer.doc_code):
        return ""
    if not issuer.doc_code:
        raise DomainError(_("发文机关未设置机关代字"), code="no_doc_code")
    return spec.series


def _suffix(issuer: Organisation, series: str) -> str:
    profile = issuer_profile(issuer)
    return profile.suffix(series) if profile is not None else str(Series(series).label)


def _enqueue_render(document_id: int) -> None:
    """In the issuing transaction: the render is an outbox message, run after the commit."""
    outbox_enqueue(DOCUMENT_RENDER, {"document_id": document_id})


def document_render(*, document_id: int) -> Document:
    """Render, store and hash one document (idempotent; called by the Celery task).

    On failure the document is marked render_failed with the error and the exception is
    re-raised so that the task retries.
    """
    document = Document.objects.select_related("issuer").get(pk=document_id)
    if document.sha256:
        return document
    try:
        pdf = render_pdf(
            kind=document.kind,
            issuer=issuer_of(document.issuer),
            context=document.context,
            number=document.number or "",
            verify_code=document.verify_code,
        )
    except Exception as exc:
        Document.objects.filter(pk=document_id, sha256="").exclude(
            status=DocumentStatus.VOIDED
        ).update(
            status=DocumentStatus.RENDER_FAILED,
            render_error=f"{type(exc).__name__}: {exc}"[:1000],
            render_attempts=F("render_attempts") + 1,
        )
        log.warning("document %s render failed: %s", document_id, type(exc).__name__)
        raise
    digest = hashlib.sha256(pdf).hexdigest()
    # Store outside the transaction (a side effect); the row points at it only on commit.
    name = default_storage.save(
        f"documents/{document.year}/{document.verify_code}.pdf", ContentFile(pdf)
    )
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.sha256:  # another worker won the race
            default_storage.delete(name)
            return document
        document.file.name = name
        document.sha256 = digest
        document.size = len(pdf)
        document.rendered_at = timezone.now()
        document.render_attempts += 1
        document.render_error = ""
        if document.status != DocumentStatus.VOIDED:
            document.status = DocumentStatus.ISSUED
        document.save()
        audit_record(
            actor=None,
            action="document.render",
            obj=document,
            organisation=document.issuer,
            after={"number": document.number, "sha256": digest, "size": len(pdf)},
        )
    return document


def document_retry_render(*, document: Document, actor: User | None) -> Document:
    """Queue a failed (or stuck pending) render again."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        _check_actor(actor, document.issuer)
        if document.sha256 or document.status not in (
            DocumentStatus.RENDER_FAILED,
            DocumentStatus.PENDING,
        ):
            raise Conflict(_("该文书已生成，无需重试"), code="already_rendered")
        audit_record(
            actor=actor,
            action="document.render_retry",
            obj=document,
            organisation=document.issuer,
            before={"status": document.status, "attempts": document.render_attempts},
        )
        _enqueue_render(document.pk)
    return document


def document_void(*, document: Document, actor: User | None, reason: str) -> Document:
    """Void a document; the reason is recorded. Its number is never reused."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写作废原因"), code="reason_required")
    with transaction.atomic():
        document = (
            Document.objects.select_for_update(of=("self",))
            .select_related("issuer")
            .get(pk=document.pk)
        )
        _check_actor(actor, document.issuer)
        if document.status == DocumentStatus.VOIDED:
            raise Conflict(_("该文书已作废"), code="already_voided")
        before = document.status
        document.status = DocumentStatus.VOIDED
        document.voided_at = timezone.now()
        document.voided_by_id = actor.pk if actor is not None and actor.is_authenticated else None
        document.void_reason = reason
        document.save(update_fields=["status", "voided_at", "voided_by", "void_reason"])
        audit_record(
            actor=actor,
            action="document.void",
            obj=document,
            organisation=document.issuer,
            before={"status": before},
            after={"status": DocumentStatus.VOIDED, "number": document.number},
            reason=reason,
        )
    return document


def document_reissue(*, document: Document, actor: User | None) -> Document:
    """Issue the correction of a voided document (a new number pointing to it)."""
    document = Document.objects.select_related("issuer").get(pk=document.pk)
    if document.status != DocumentStatus.VOIDED:
        raise Conflict(_("只有已作废的文书才能重新签发更正文书"), code="replace_not_voided")
    context = document.context
    context.pop("date", None)
    with document_language():
        if document.number:
            note = f"本件为更正文书，替代已作废的{document.number}。"
        else:
            label = str(DocumentKind(document.kind).label)
            note = (
                f"本件为更正文书，替代{date_cn(document.issued_on)}填制、"
                f"核验码为{document.verify_code}的{label}（已作废）。"
            )
    context["body"] = [*(context.get("body") or []), note]
    return document_issue(
        kind=document.kind,
        issuer=document.issuer,
        context=context,
        actor=actor,
        case=document.case,
        member=document.member,
        replaces=document,
    )


def document_download(*, document: Document, actor: User) -> bytes:
    """The stored bytes, checked against their hash; every download is audited."""
    if not document.sha256:
        raise Conflict(_("文书尚在生成中，请稍后再试"), code="not_rendered")
    with document.file.open("rb") as handle:
        data: bytes = handle.read()
    if hashlib.sha256(data).hexdigest() != document.sha256:
        log.error("document %s: stored bytes do not match their SHA-256", document.pk)
        raise Conflict(_("文书文件校验失败，请联系管理员"), code="hash_mismatch")
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="document.download",
            obj=document,
            organisation=document.issuer,
            after={"number": document.number},
        )
    return data
