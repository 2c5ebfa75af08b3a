"""Issuing and revoking API tokens (services: atomic, locked, audited)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.audit import audit_record
from casework.errors import Conflict, DomainError, NotFound
from web.api.models import ApiToken, token_digest, token_generate

MAX_ACTIVE_TOKENS = 20


def api_token_create(*, user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; the plaintext is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写令牌名称。"), code="name_required")
    with transaction.atomic():
        # Lock the user row so that concurrent creations respect the limit.
        get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk).first()
        active = ApiToken.objects.filter(user_id=user.pk, revoked_at__isnull=True).count()
        if active >= MAX_ACTIVE_TOKENS:
            raise Conflict(_("有效令牌过多，请先撤销不用的令牌。"), code="too_many_tokens")
        plaintext, prefix = token_generate()
        token = ApiToken.objects.create(
            user_id=user.pk, name=name, prefix=prefix, token_hash=token_digest(plaintext)
        )
        audit_record(actor=user, action="api_token.create", obj=token, after={"name": name})
    return token, plaintext


def api_token_revoke(*, user: AbstractBaseUser, pk: int) -> ApiToken:
    """Revoke one of the user's own tokens (another user's token is NotFound). Idempotent."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(user_id=user.pk, pk=pk).first()
        if token is None:
            raise NotFound(_("未找到该令牌。"))
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=user, action="api_token.revoke", obj=token, after={"name": token.name})
    return token
