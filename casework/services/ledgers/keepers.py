"""The ledger keeper and ledger handovers (measure 2: 台账交接制度).

A branch names one keeper of its ledgers. A new keeper takes over through a handover: the
secretary (or the keeper) records who hands over to whom, which ledgers, what was checked
together and who witnessed it; the giver and the receiver each confirm (their signatures);
with both confirmations the keeper changes. The handover record (a record, unnumbered, issued
by the branch) is issued by documents.prevention.handover_record_issue, which notes its id
here."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.access import WRITE_ROLES, has_role_over
from casework.audit import audit_record
from casework.errors import Conflict, DomainError, PermissionDenied
from casework.models import HandoverCheck, LedgerHandover, LedgerKeeper, LedgerKind, Organisation
from casework.services.ledgers.checks import Actor, not_in_future, require_writer


def ledger_keeper_assign(
    *, organisation: Organisation, keeper: AbstractBaseUser, since: dt.date, actor: Actor
) -> LedgerKeeper:
    """Name the first keeper of a branch's ledgers; later changes go through a handover."""
    require_writer(actor, organisation)
    if not has_role_over(keeper, organisation, WRITE_ROLES):
        raise DomainError(_("台账管理员须是本组织的工作人员。"), code="keeper_out_of_scope")
    not_in_future(since, _("担任日期"))
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


def _choices(values: list[str], allowed: list[str], field: str) -> list[str]:
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise DomainError(_("交接内容无效。"), code=f"invalid_{field}")
    return [value for value in allowed if value in set(values)]  # canonical order, no repeats


def ledger_handover_start(
    *,
    organisation: Organisation,
    to_user: AbstractBaseUser,
    handed_over_on: dt.date,
    items: str,
    actor: Actor,
    ledgers: list[str] | None = None,
    checked: list[str] | None = None,
    witness: AbstractBaseUser | None = None,
) -> LedgerHandover:
    """Record a handover from the current keeper to `to_user`; both must confirm. `ledgers`
    (LedgerKind values) are handed over, `checked` (HandoverCheck values) were checked
    together; `items` lists volumes and open matters; the witness defaults to the recorder."""
    require_writer(actor, organisation)
    if not has_role_over(to_user, organisation, WRITE_ROLES):
        raise DomainError(_("台账管理员须是本组织的工作人员。"), code="keeper_out_of_scope")
    kinds = _choices(ledgers or [], list(LedgerKind.values), "ledgers")
    checks = _choices(checked or [], list(HandoverCheck.values), "checked")
    if not items.strip() and not kinds:
        raise DomainError(_("请填写交接清单。"), code="missing_items")
    not_in_future(handed_over_on, _("交接日期"))
    watcher = witness if witness is not None else actor
    if watcher is not None and not has_role_over(watcher, organisation, WRITE_ROLES):
        raise DomainError(_("监交人须是本组织或上级组织的工作人员。"), code="witness_out_of_scope")
    with transaction.atomic():
        current = (
            LedgerKeeper.objects.select_for_update(no_key=True)
            .filter(organisation=organisation)
            .first()
        )
        if current is None:
            raise DomainError(_("该组织尚未指定台账管理员。"), code="no_keeper")
        if current.keeper_id == to_user.pk:
            raise DomainError(_("接收人已是台账管理员。"), code="same_keeper")
        if (
            LedgerHandover.objects.filter(organisation=organisation)
            .filter(Q(from_confirmed_at__isnull=True) | Q(to_confirmed_at__isnull=True))
            .exists()
        ):
            raise Conflict(_("该组织有尚未双方确认的交接，请先办结。"), code="handover_open")
        handover = LedgerHandover.objects.create(
            organisation=organisation,
            from_user_id=current.keeper_id,
            to_user_id=to_user.pk,
            handed_over_on=handed_over_on,
            items=items.strip(),
            ledgers=kinds,
            checked=checks,
            witness_id=watcher.pk if watcher is not None else None,
        )
        audit_record(
            actor=actor,
            action="ledger.handover",
            obj=handover,
            organisation=organisation,
            after={
                "from": current.keeper_id,
                "to": to_user.pk,
                "on": handed_over_on,
                "ledgers": kinds,
                "checked": checks,
            },
        )
    return handover


def ledger_handover_confirm(*, handover: LedgerHandover, actor: AbstractBaseUser) -> LedgerHandover:
    """The giver or the receiver confirms (signs); with both confirmations the keeper changes."""
    if actor.pk == handover.from_user_id:
        field = "from_confirmed_at"
    elif actor.pk == handover.to_user_id:
        field = "to_confirmed_at"
    else:
        raise PermissionDenied(_("只有交接双方可以确认。"))
    with transaction.atomic():
        locked = (
            LedgerHandover.objects.select_for_update(no_key=True, of=("self",))
            .select_related("organisation")
            .get(pk=handover.pk)
        )
        if getattr(locked, field) is not None:
            raise Conflict(_("您已确认过该交接。"), code="already_confirmed")
        setattr(locked, field, timezone.now())
        locked.save(update_fields=[field])
        if locked.is_complete:
            LedgerKeeper.objects.filter(organisation_id=locked.organisation_id).update(
                keeper_id=locked.to_user_id, since=locked.handed_over_on
            )
        audit_record(
            actor=actor,
            action="ledger.handover_confirm",
            obj=locked,
            organisation=locked.organisation,
            after={"side": field.split("_")[0], "complete": locked.is_complete},
        )
    return locked


def ledger_handover_record_attach(*, handover: LedgerHandover, document_id: int) -> None:
    """Note the issued handover record on the handover, once (compare-and-set). Called inside
    the issuing transaction; a second record for the same handover is a conflict."""
    if not LedgerHandover.objects.filter(pk=handover.pk, record_document_id__isnull=True).update(
        record_document_id=document_id
    ):
        raise Conflict(_("该交接已生成交接记录。"), code="record_exists")
