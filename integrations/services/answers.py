"""Answers from departments (webhook, liaison portal, scanned reply): one path for all."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from casework.errors import DomainError
from casework.models import Inquiry, InquiryAnswer
from integrations import inquiry_port
from integrations.models import AnswerAttachment, ClueFollowUp

Actor = AbstractBaseUser | AnonymousUser | None
DETAIL_FIELDS = ("address", "phone", "employer", "insured_unit", "notes")
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def clean_details(raw: dict[str, Any]) -> dict[str, str]:
    """Keep the known detail fields as trimmed strings (≤500 characters each)."""
    details: dict[str, str] = {}
    for name in DETAIL_FIELDS:
        value = raw.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str) or len(value) > 500:
            raise DomainError(
                _("字段 %(name)s 格式不正确。") % {"name": name}, code="invalid_detail"
            )
        details[name] = value.strip()
    return details


def answer_record(
    *,
    inquiry: Inquiry,
    actor: Actor,
    answer: str,
    details: dict[str, Any],
    source: str,
    attachments: Sequence[UploadedFile] = (),
) -> Inquiry:
    """Record the answer (idempotent for an identical repeat); a clue creates a follow-up."""
    if answer not in InquiryAnswer.values:
        raise DomainError(_("答复结果必须是：查到、未查到或有线索。"), code="invalid_answer")
    cleaned = clean_details(details)
    if answer == InquiryAnswer.CLUE and not cleaned:
        raise DomainError(_("有线索时请至少填写一项线索内容。"), code="clue_without_details")
    with transaction.atomic():
        answered = inquiry_port.record_answer(
            inquiry=inquiry, actor=actor, answer=answer, details=cleaned, source=source
        )
        if answer == InquiryAnswer.CLUE:
            case = answered.case
            ClueFollowUp.objects.get_or_create(
                inquiry=answered,
                defaults={
                    "member": case.member,
                    "case": case,
                    "assignee_id": case.member.contact_officer_id,
                    "details": json.dumps(cleaned, ensure_ascii=False, sort_keys=True),
                },
            )
        user_id = actor.pk if actor is not None and actor.is_authenticated else None
        for upload in attachments:
            if upload.size is not None and upload.size > MAX_ATTACHMENT_BYTES:
                raise DomainError(_("附件不能超过 10MB。"), code="attachment_too_large")
            data = upload.read()
            upload.seek(0)
            original = (upload.name or "attachment")[:200]
            suffix = (
                (upload.name or "").rsplit(".", 1)[-1].lower()[:8]
                if "." in (upload.name or "")
                else "bin"
            )
            upload.name = f"{uuid.uuid4().hex}.{suffix}"
            AnswerAttachment.objects.create(
                inquiry=answered,
                file=upload,
                original_name=original,
                sha256=hashlib.sha256(data).hexdigest(),
                uploaded_by_id=user_id,
            )
    return answered
