"""Ledger keepers (台账管理人) and the handover when the keeper changes."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.access import WRITE_ROLES, has_role_over
from casework.audit import audit_record
from casework.errors import Conflict, DomainError, PermissionDenied
from casework.models import (
    LedgerHandover,
    LedgerKeeper,
    Organisation,
)
from casework.services.ledgers.checks import (
    Actor,
    not_in_future,
    require_writer,
)


def ledger_keeper_assign(
    *, organisation: Organisation, keeper: AbstractBaseUser, since: dt.date, actor: Actor
) -> LedgerKeeper:
    """Name the first keeper of a branch's ledgers; later changes go through a handover."""
    require_writer(actor, organisation)
    if not has_role_over(keeper, organisation, WRITE_ROLES):
        raise DomainError(_("台账管理员须是本组织的工作人员。"), code="keeper_out_of_scope")
    try:
        with transaction.atomic():
            record = LedgerKeeper.objects.create(
                organisation=organisation, keeper_id=keeper.pk, since=since
            )
            audit_record(
                actor=actor,
                action="ledger.keeper",
                obj=record,
                organisation=organisation,
                after={"keeper": keeper.pk, "since": since},
            )
    except IntegrityError as exc:
        raise Conflict(_("该组织已有台账管理员，更换须办理交接。"), code="keeper_exists") from exc
    return record


def ledger_handover_start(
    *,
    organisation: Organisation,
    to_user: AbstractBaseUser,
    handed_over_on: dt.date,
    items: str,
    actor: Actor,
) -> LedgerHandover:
    """Record a handover from the current keeper to `to_user`; both must confirm."""
    require_writer(actor, organisation)
    current = LedgerKeeper.objects.filter(organisation=organisation).first()
    if current is None:
        raise DomainError(_("该组织尚未指定台账管理员。"), code="no_keeper")
    if current.keeper_id == to_user.pk:
        raise DomainError(_("接收人已是台账管理员。"), code="same_keeper")
    if not has_role_over(to_user, organisation, WRITE_ROLES):
        raise DomainError(_("台账管理员须是本组织的工作人员。"), code="keeper_out_of_scope")
    if not items.strip():
        raise DomainError(_("请填写交接清单。"), code="missing_items")
    not_in_future(handed_over_on, _("交接日期"))
    with transaction.atomic():
        handover = LedgerHandover.objects.create(
            organisation=organisation,
            from_user_id=current.keeper_id,
            to_user_id=to_user.pk,
            handed_over_on=handed_over_on,
            items=items.strip(),
        )
        audit_record(
            actor=actor,
            action="ledger.handover",
            obj=handover,
            organisation=organisation,
            after={"from": current.keeper_id, "to": to_user.pk, "on": handed_over_on},
        )
    return handover


def ledger_handover_confirm(*, handover: LedgerHandover, actor: AbstractBaseUser) -> LedgerHandover:
    """The giver or the receiver confirms; with both confirmations the keeper changes."""
    if actor.pk == handover.from_user_id:
        field = "from_confirmed_at"
    elif actor.pk == handover.to_user_id:
        field = "to_confirmed_at"
    else:
        raise PermissionDenied(_("只有交接双方可以确认。"))
    now = timezone.now()
    with transaction.atomic():
        if not LedgerHandover.objects.filter(pk=handover.pk, **{f"{field}__isnull": True}).update(
            **{field: now}
        ):
            raise Conflict(_("您已确认过该交接。"), code="already_confirmed")
        handover.refresh_from_db()
        if handover.is_complete:
            LedgerKeeper.objects.filter(organisation_id=handover.organisation_id).update(
                keeper_id=handover.to_user_id, since=handover.handed_over_on
            )
        audit_record(
            actor=actor,
            action="ledger.handover_confirm",
            obj=handover,
            organisation=handover.organisation,
            after={"side": field.split("_")[0], "complete": handover.is_complete},
        )
    return handover
