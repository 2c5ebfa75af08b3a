"""SMTP: the only module that speaks SMTP. Sends one letter with its PDF attached."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from django.conf import settings


@dataclass(frozen=True)
class EmailResult:
    ok: bool
    message_id: str = ""
    error: str = ""


def send_letter(
    *,
    to: str,
    subject: str,
    body: str,
    filename: str,
    pdf: bytes,
    idempotency_key: str,
    timeout: float | None = None,
) -> EmailResult:
    """Connect, send, quit. Network errors come back as a failed result, never raised."""
    message = EmailMessage()
    message["From"] = settings.DEFAULT_FROM_EMAIL
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(idstring=idempotency_key)
    message["X-Lianluo-Idempotency-Key"] = idempotency_key
    message.set_content(body)
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    try:
        with smtplib.SMTP(
            settings.EMAIL_HOST,
            settings.EMAIL_PORT,
            timeout=timeout if timeout is not None else settings.EMAIL_TIMEOUT,
        ) as smtp:
            if settings.EMAIL_USE_TLS:
                smtp.starttls()
            if settings.EMAIL_HOST_USER:
                smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
            smtp.send_message(message)
    except (TimeoutError, OSError, smtplib.SMTPException) as exc:
        return EmailResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
    return EmailResult(ok=True, message_id=str(message["Message-ID"]))
