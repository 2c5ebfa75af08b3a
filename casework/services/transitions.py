"""The plumbing every case service shares: lock the case, fire a transition, record the step.

A service = `with transaction.atomic(): case = lock_case(...); fire(...); write rows;
record_step(...)`. `fire` turns django-fsm refusals into domain errors with Chinese
messages: an illegal source state is a Conflict (someone else moved the case first), a
missing role is PermissionDenied, an unmet condition is a DomainError naming the rule.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from casework.audit import audit_record
from casework.errors import Conflict, DomainError, NotFound, PermissionDenied
from casework.models import Case, CaseStatus, TimelineEntry

Actor = AbstractBaseUser | None


def lock_case(case: Case | int) -> Case:
    """The case row, locked for this transaction, with member and organisation loaded."""
    pk = case.pk if isinstance(case, Case) else case
    try:
        return (
            Case.objects.select_for_update(of=("self",))
            .select_related("member", "organisation")
            .get(pk=pk)
        )
    except Case.DoesNotExist as exc:
        raise NotFound(_("案件不存在。")) from exc


def status_label(status: str) -> str:
    try:
        return str(CaseStatus(status).label)
    except ValueError:
        return status


def fire(case: Case, name: str, actor: Actor, **kwargs: Any) -> tuple[str, str]:
    """Run transition `name` on the locked case; returns (from_status, to_status)."""
    method = getattr(case, name)
    meta = method._django_fsm
    before = case.status
    spec = meta.get_transition(before)
    if spec is None:
        raise Conflict(
            _("案件当前处于“%(status)s”环节，不能执行此操作（可能已被他人处理）。")
            % {"status": status_label(before)},
            code="illegal_transition",
        )
    if actor is not None and not spec.has_perm(case, actor):
        raise PermissionDenied(_("您没有办理此环节的权限。"))
    for condition in spec.conditions:
        if not condition(case):
            raise DomainError(getattr(condition, "message", _("不符合办理条件。")))
    method(**kwargs)
    return before, case.status


def record_step(
    *,
    case: Case,
    actor: Actor,
    action: str,
    before: str,
    after: str,
    comment: str = "",
    details: dict[str, Any] | None = None,
    obj: Any = None,
) -> TimelineEntry:
    """One timeline entry and one audit event for the step, inside the caller's transaction."""
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    details = json.loads(json.dumps(details or {}, ensure_ascii=False, default=str))
    entry = TimelineEntry.objects.create(
        case=case,
        actor_id=actor_id,
        action=action,
        from_status=before,
        to_status=after,
        comment=comment,
        details=details or {},
    )
    audit_record(
        actor=actor,
        action=action,
        obj=obj if obj is not None else case,
        organisation=case.organisation,
        before={"status": before},
        after={"status": after, "case": case.pk, **(details or {})},
        reason=comment,
    )
    return entry


def save_case(case: Case, *fields: str) -> None:
    case.save(update_fields=["status", "updated_at", *fields])


__all__ = ["Actor", "fire", "lock_case", "record_step", "save_case", "status_label", "transaction"]
