"""Education of members (measure 8): training records per member (学习党章, 重温入党誓词 …)
and the branch's regular letters to its outgoing members (信函联系).

The letters themselves are `member_letter` documents issued by documents.prevention, which
calls `member_letter_round_record` inside its transaction: one round per branch and day, each
letter logged as a contact attempt by letter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from casework.audit import audit_record
from casework.errors import Conflict, DomainError
from casework.models import (
    ContactChannel,
    ContactOutcome,
    Member,
    MemberLetterRound,
    Organisation,
    TrainingKind,
    TrainingRecord,
)
from casework.services.ledgers import contact_attempt_record
from casework.services.ledgers.checks import (
    Actor,
    actor_id,
    members_of,
    move_forward,
    not_in_future,
    require_writer,
)


def training_record(
    *,
    organisation: Organisation,
    kind: str,
    topic: str,
    trained_on: dt.date,
    member_ids: list[int],
    actor: Actor,
    hours: Decimal | None = None,
) -> list[TrainingRecord]:
    """One training session of a branch: a record per member who took part (contact)."""
    require_writer(actor, organisation)
    if kind not in TrainingKind.values:
        raise DomainError(_("培训类别无效。"), code="invalid_training_kind")
    if not topic.strip():
        raise DomainError(_("请填写培训内容。"), code="missing_topic")
    if not member_ids:
        raise DomainError(_("请选择参加培训的党员。"), code="no_members")
    if hours is not None and not Decimal("0") < hours <= Decimal("99"):
        raise DomainError(_("学时应在0到99之间。"), code="invalid_hours")
    not_in_future(trained_on, _("培训日期"))
    members_of(organisation, member_ids)
    ids = sorted(set(member_ids))
    with transaction.atomic():
        records = TrainingRecord.objects.bulk_create(
            [
                TrainingRecord(
                    member_id=member_id,
                    kind=kind,
                    topic=topic.strip(),
                    trained_on=trained_on,
                    hours=hours,
                    recorded_by_id=actor_id(actor),
                )
                for member_id in ids
            ]
        )
        move_forward(ids, "last_contact_date", trained_on)
        audit_record(
            actor=actor,
            action="training.record",
            organisation=organisation,
            after={"kind": kind, "on": trained_on, "members": len(ids)},
        )
    return records


def member_letter_round_record(
    *, organisation: Organisation, sent_on: dt.date, members: list[Member], actor: Actor
) -> MemberLetterRound:
    """Record that the branch wrote to `members` on `sent_on` (one round a day, a conflict
    otherwise) and log a contact attempt by letter for each. Must run inside the transaction
    that issues the letters."""
    require_writer(actor, organisation)
    not_in_future(sent_on, _("寄发日期"))
    if not members:
        raise DomainError(_("本支部目前没有外出党员，无需寄发信函。"), code="no_outgoing_members")
    if any(member.organisation_id != organisation.pk for member in members):
        raise DomainError(_("名单中有不属于本支部的党员。"), code="member_not_in_organisation")
    try:
        with transaction.atomic():
            letter_round = MemberLetterRound.objects.create(
                organisation=organisation,
                sent_on=sent_on,
                letters=len(members),
                recorded_by_id=actor_id(actor),
            )
    except IntegrityError as exc:
        raise Conflict(_("本支部今天已寄发过党员信函。"), code="letters_already_sent") from exc
    for member in members:
        contact_attempt_record(
            member=member,
            actor=actor,
            channel=ContactChannel.LETTER,
            outcome=ContactOutcome.OTHER,
            notes=str(_("寄发致外出党员的信")),
        )
    audit_record(
        actor=actor,
        action="letters.send",
        obj=letter_round,
        organisation=organisation,
        after={"sent_on": sent_on, "letters": len(members)},
    )
    return letter_round
