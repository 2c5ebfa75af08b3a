"""Self-service reconnect links: signed (ids only), expiring, single use (compare-and-set)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.access import WRITE_ROLES, has_role_over, scope_q
from casework.audit import audit_record
from casework.errors import Conflict, DomainError, NotFound
from casework.models import Case, ContactChannel, ContactOutcome, Member, MemberChange
from casework.outbox import outbox_enqueue
from casework.services.ledgers import contact_attempt_record
from casework.services.search_index import search_index_refresh
from casework.validation import mask_address, mask_phone, validate_phone
from integrations.models import PendingContactChange, PendingStatus, ReconnectLink

SALT = "integrations.reconnect"
# Outbox kind: {"link_id": ...}; the link's URL is signed again when it is sent.
RECONNECT_LINK_SEND = "reconnect.link_send"
Actor = AbstractBaseUser | AnonymousUser


class LinkRefused(Exception):
    """reason: tampered | expired | used"""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IssuedLink:
    link: ReconnectLink
    url: str


def _token(link: ReconnectLink) -> str:
    return signing.dumps({"l": link.pk, "m": link.member_id}, salt=SALT)


def reconnect_link_create(*, member: Member, actor: Actor, case: Case | None = None) -> IssuedLink:
    """Create a link; the SMS goes out after commit (and is logged as a contact attempt)."""
    if not has_role_over(actor, member.organisation, WRITE_ROLES):
        raise NotFound(_("党员不存在。"))
    days = settings.LIANLUO_RECONNECT_LINK_DAYS
    with transaction.atomic():
        link = ReconnectLink.objects.create(
            member=member,
            case=case,
            created_by_id=actor.pk,
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        audit_record(
            actor=actor,
            action="reconnect.link",
            obj=link,
            organisation=member.organisation,
            after={"member": member.pk, "days": days},
        )
        outbox_enqueue(RECONNECT_LINK_SEND, {"link_id": link.pk})
    return IssuedLink(link=link, url=_url(link))


def _url(link: ReconnectLink) -> str:
    return settings.LIANLUO_PUBLIC_URL.rstrip("/") + reverse(
        "integrations:reconnect", args=[_token(link)]
    )


def reconnect_link_send(*, link_id: int) -> None:
    """In the worker (outbox): text the link to the member, logged as a contact attempt.
    A link already used or expired is not sent."""
    from integrations.services.messaging import member_message_send

    link = ReconnectLink.objects.select_related("member", "created_by", "case").get(pk=link_id)
    if link.used_at is not None or link.expires_at <= timezone.now():
        return
    url = _url(link)
    member_message_send(
        member=link.member,
        actor=link.created_by,
        template="reconnect_link",
        text=f"党组织正在与您联系，请点击链接确认联系方式：{url}",
        params={"link": url},
        case=link.case,
    )


def reconnect_link_resolve(*, token: str) -> ReconnectLink:
    """The link behind a token, or LinkRefused (tampered / expired / used)."""
    max_age = dt.timedelta(days=settings.LIANLUO_RECONNECT_LINK_DAYS)
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkRefused("expired") from None
    except signing.BadSignature:
        raise LinkRefused("tampered") from None
    link = (
        ReconnectLink.objects.select_related("member__organisation", "case")
        .filter(pk=data.get("l"), member_id=data.get("m"))
        .first()
    )
    if link is None:
        raise LinkRefused("tampered")
    if link.used_at is not None:
        raise LinkRefused("used")
    if link.expires_at <= timezone.now():
        raise LinkRefused("expired")
    return link


def reconnect_confirm(*, token: str, phone: str = "", residence: str = "") -> ReconnectLink:
    """The member confirms they are reachable: a successful self-service contact, once."""
    link = reconnect_link_resolve(token=token)
    phone = phone.strip()
    residence = residence.strip()[:200]
    if phone:
        try:
            phone = validate_phone(phone)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], code="phone") from exc
    now = timezone.now()
    with transaction.atomic():
        used = ReconnectLink.objects.filter(
            pk=link.pk, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if used != 1:
            raise LinkRefused("used")
        contact_attempt_record(
            member=link.member,
            actor=None,
            channel=ContactChannel.SELF_SERVICE,
            outcome=ContactOutcome.REACHED,
            notes="党员通过自助链接确认可联系"
            + ("，并提交了新的联系方式" if phone or residence else ""),
            at=now,
            case=link.case if link.case is not None and link.case.is_open else None,
        )
        if phone or residence:
            PendingContactChange.objects.create(
                member=link.member, link=link, phone=phone, residence=residence
            )
    return link


def pending_changes_for_user(*, user: Actor) -> QuerySet[PendingContactChange]:
    return (
        PendingContactChange.objects.filter(
            scope_q(user, "member__organisation__path", WRITE_ROLES)
        )
        .filter(status=PendingStatus.PENDING)
        .select_related("member")
        .order_by("submitted_at")
    )


def pending_change_decide(
    *, change: PendingContactChange, actor: Actor, accept: bool
) -> PendingContactChange:
    member = change.member
    if not has_role_over(actor, member.organisation, WRITE_ROLES):
        raise NotFound(_("记录不存在。"))
    new_status = PendingStatus.ACCEPTED if accept else PendingStatus.REJECTED
    with transaction.atomic():
        count = PendingContactChange.objects.filter(
            pk=change.pk, status=PendingStatus.PENDING
        ).update(status=new_status, decided_at=timezone.now(), decided_by_id=actor.pk)
        if count != 1:
            raise Conflict(_("该变更已处理。"), code="already_decided")
        masked: dict[str, list[str]] = {}
        if accept:
            locked = Member.objects.select_for_update(no_key=True).get(pk=member.pk)
            fields = []
            if change.phone:
                masked["phone"] = [mask_phone(locked.phone or ""), mask_phone(change.phone)]
                locked.phone = change.phone
                fields.append("phone")
            if change.residence:
                masked["residence"] = [
                    mask_address(locked.residence or ""),
                    mask_address(change.residence),
                ]
                locked.residence = change.residence
                fields.append("residence")
            locked.save(update_fields=[*fields, "updated_at"])
            if "phone" in fields:
                search_index_refresh(member_ids=[locked.pk])
            MemberChange.objects.create(
                member=locked, actor_id=actor.pk, source="self_service", changes=masked
            )
        audit_record(
            actor=actor,
            action="reconnect.change_accept" if accept else "reconnect.change_reject",
            obj=change,
            organisation=member.organisation,
            after={"member": member.pk, "fields": sorted(masked)},
        )
    change.refresh_from_db()
    return change
