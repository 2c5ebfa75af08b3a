"""Log-in events go into the audit trail (the web layer owns authentication signals)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from casework.audit import audit_record


@receiver(user_logged_in, dispatch_uid="lianluo_audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        audit_record(actor=user, action="auth.login", obj=user)


@receiver(user_login_failed, dispatch_uid="lianluo_audit_login_failed")
def audit_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    # Django already masks the password in `credentials`; keep only the username string.
    username = str(credentials.get("username", ""))[:150]
    with transaction.atomic():
        audit_record(actor=None, action="auth.login_failed", after={"username": username})
