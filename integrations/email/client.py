"""Email: the only module that sends mail (department letters and notices to users).

- `send_letter`: a formal letter with its PDF, straight over SMTP to the department's mailbox
  (EMAIL_HOST/EMAIL_PORT), whatever EMAIL_BACKEND says: a department channel is SMTP.
- `send_notice`: a short notice to a user through Django's configured EMAIL_BACKEND (console
  in development, locmem in tests, SMTP in production).

Both take the Message-ID from the caller: it is stable per letter (or per notice), so a
message sent twice after a lost reply carries the same Message-ID and the receiver can drop
the copy. Network errors come back as a failed result, never raised.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from django.conf import settings
from django.core.mail import EmailMessage as DjangoEmailMessage
from django.core.mail import get_connection

IDEMPOTENCY_HEADER = "X-Lianluo-Idempotency-Key"


@dataclass(frozen=True)
class EmailResult:
    ok: bool
    message_id: str = ""
    error: str = ""


def message_id_for(key: str) -> str:
    """A stable Message-ID for `key` (a letter's idempotency key, a notice's outbox id …)."""
    return f"<{key}@{settings.LIANLUO_MESSAGE_ID_DOMAIN}>"


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


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
    """Connect, send, quit."""
    message = EmailMessage()
    message["From"] = settings.DEFAULT_FROM_EMAIL
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id_for(idempotency_key)
    message[IDEMPOTENCY_HEADER] = idempotency_key
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
        return EmailResult(ok=False, error=_error(exc))
    return EmailResult(ok=True, message_id=str(message["Message-ID"]))


def send_notice(*, to: str, subject: str, body: str, key: str) -> EmailResult:
    """One plain-text notice to one user through the configured email backend."""
    message_id = message_id_for(key)
    message = DjangoEmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": message_id, IDEMPOTENCY_HEADER: key},
        connection=get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT),
    )
    try:
        message.send(fail_silently=False)
    except (TimeoutError, OSError, smtplib.SMTPException) as exc:
        return EmailResult(ok=False, error=_error(exc))
    return EmailResult(ok=True, message_id=message_id)
