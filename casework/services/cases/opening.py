"""Opening a lost-contact case (by an officer, or by the detection sweep)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import hooks
from casework.access import has_role_over
from casework.errors import Conflict, DomainError, PermissionDenied
from casework.models import CLOSED_STATUSES, Case, Circumstance, Member, MemberStatus
from casework.models.cases import BRANCH_STAFF
from casework.policy import current_overrides, rules_for
from casework.services.transitions import Actor, record_step


def case_open(
    *,
    member: Member,
    actor: Actor,
    circumstance: str = Circumstance.OTHER,
    evidence: dict[str, object] | None = None,
    reason: str = "",
) -> Case:
    """Register a lost-contact case (by an officer, or by the detection sweep with actor=None)."""
    if circumstance not in Circumstance.values:
        raise DomainError(_("失联情形无效。"), code="invalid_circumstance")
    if actor is not None and not has_role_over(actor, member.organisation, BRANCH_STAFF):
        raise PermissionDenied(_("只有本支部的联系人或支部书记可以登记失联案件。"))
    if member.status != MemberStatus.NORMAL:
        raise DomainError(_("该党员党籍状态不是正常，不能登记失联案件。"), code="member_not_normal")
    try:
        with transaction.atomic():
            Member.objects.select_for_update(no_key=True).filter(pk=member.pk).first()
            if Case.objects.filter(member=member).exclude(status__in=CLOSED_STATUSES).exists():
                raise Conflict(_("该党员已有未结案件，不能重复立案。"), code="case_already_open")
            case = Case.objects.create(
                member=member,
                organisation=member.organisation,
                circumstance=circumstance,
                rule_set=rules_for(timezone.localdate()).code,
                rule_overrides=current_overrides(),
                evidence=evidence or {},
                opened_by_id=actor.pk if actor is not None else None,
            )
            record_step(
                case=case,
                actor=actor,
                action="case.open",
                before="",
                after=case.status,
                comment=reason,
                details={"member": member.pk, "circumstance": circumstance},
            )
            hooks.cases_opened.run_now([case.pk], actor)
    except IntegrityError as exc:  # the DB constraint backs the check above
        raise Conflict(_("该党员已有未结案件，不能重复立案。"), code="case_already_open") from exc
    return case
