"""Manual channel: a print queue combined into one PDF, and the scanned reply upload."""

from __future__ import annotations

import io

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader, PdfWriter

from casework.access import has_role_over, scope_q
from casework.audit import audit_record
from casework.errors import Conflict, DomainError, NotFound
from casework.models import Role
from integrations import inquiry_port
from integrations.letters import letter_backend
from integrations.models import ChannelKind, DeliveryState, InquiryLetter, LetterKind

Actor = AbstractBaseUser | AnonymousUser
COORDINATING_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR)


def letters_for_coordinator(*, user: Actor) -> QuerySet[InquiryLetter]:
    return InquiryLetter.objects.filter(
        scope_q(user, "organisation__path", COORDINATING_ROLES)
    ).select_related("department", "organisation")


def letter_get_for_coordinator(*, user: Actor, pk: int) -> InquiryLetter:
    letter = letters_for_coordinator(user=user).filter(pk=pk).first()
    if letter is None:
        raise NotFound(_("函件不存在。"))
    return letter


def print_queue_for_coordinator(*, user: Actor) -> QuerySet[InquiryLetter]:
    return (
        letters_for_coordinator(user=user)
        .filter(channel=ChannelKind.MANUAL, printed_at__isnull=True)
        .order_by("pk")
    )


def print_queue_combine(*, user: Actor) -> tuple[bytes, list[int]]:
    """One PDF with every queued manual letter; they are marked printed (sent by hand)."""
    letters = list(print_queue_for_coordinator(user=user))
    if not letters:
        raise Conflict(_("打印队列为空。"), code="queue_empty")
    writer = PdfWriter()
    backend = letter_backend()
    for letter in letters:
        file = backend.load(document_id=letter.document_id, number=letter.document_number)
        for page in PdfReader(io.BytesIO(file.pdf)).pages:
            writer.add_page(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    now = timezone.now()
    printed = []
    with transaction.atomic():
        for letter in letters:
            count = InquiryLetter.objects.filter(pk=letter.pk, printed_at__isnull=True).update(
                printed_at=now, state=DeliveryState.SENT, sent_at=now, attempts=letter.attempts + 1
            )
            if not count:
                continue
            printed.append(letter.pk)
            if letter.kind == LetterKind.INQUIRY:
                for inquiry in letter.inquiries.select_related("case__organisation"):
                    inquiry_port.mark_sent(inquiry=inquiry, actor=user, at=now)
            audit_record(
                actor=user, action="letter.printed", obj=letter, organisation=letter.organisation
            )
    return buffer.getvalue(), printed


def letter_reply_upload(
    *, letter: InquiryLetter, actor: Actor, scan: UploadedFile
) -> InquiryLetter:
    """Attach the department's scanned reply; the letter counts as delivered."""
    if not has_role_over(actor, letter.organisation, COORDINATING_ROLES):
        raise NotFound(_("函件不存在。"))
    if letter.channel != ChannelKind.MANUAL:
        raise DomainError(_("只有纸质函件需要上传回函扫描件。"), code="not_manual")
    if scan.size is not None and scan.size > 20 * 1024 * 1024:
        raise DomainError(_("扫描件不能超过 20MB。"), code="scan_too_large")
    with transaction.atomic():
        locked = InquiryLetter.objects.select_for_update().get(pk=letter.pk)
        if locked.printed_at is None:
            raise Conflict(_("函件尚未打印送出。"), code="not_printed")
        scan.name = f"reply-{locked.pk}.{(scan.name or 'x.pdf').rsplit('.', 1)[-1][:8]}"
        locked.reply_scan = scan
        locked.state = DeliveryState.DELIVERED
        locked.delivered_at = timezone.now()
        locked.save()
        audit_record(
            actor=actor, action="letter.reply_scan", obj=locked, organisation=locked.organisation
        )
    return locked
