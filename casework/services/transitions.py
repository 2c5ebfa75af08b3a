"""The plumbing every case service shares: lock the case, fire a transition, record the step.

A service is one `case_transition` block:

    with case_transition(case, actor) as t:
        ...checks on t.case...
        t.fire("approve")            # the django-fsm transition
        ...write the step's rows...
        t.save("clock_kind")         # case fields the step changed
        t.note(comment=..., details={...})
    return t.case

On leaving the block the case is saved, one timeline entry and one audit event are written
and the upper floors' `case_changed` hooks run, all in the block's transaction (the case row
locked at its start). `fire` turns django-fsm refusals into domain errors with Chinese
messages: an illegal source state is a Conflict (someone else moved the case first), a
missing role is PermissionDenied, an unmet condition is a DomainError naming the rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from casework import combined_writes, hooks
from casework.audit import audit_record_with
from casework.errors import Conflict, DomainError, NotFound, PermissionDenied
from casework.models import Case, CaseStatus, Proposal, TimelineEntry
from casework.transactions import atomic

Actor = AbstractBaseUser | None


# The case rows the running flow step locked together with its process row
# (workflows.services.processes.process_and_case_lock): lock_case hands them out as they are.
_held: ContextVar[dict[int, Case] | None] = ContextVar("case_rows_held", default=None)


@contextmanager
def case_row_held(case: Case) -> Iterator[None]:
    """Inside the block, `lock_case(case.pk)` returns `case` without a query: the caller has
    just read and locked its row (with member and organisation) in this transaction."""
    token = _held.set({**(_held.get() or {}), case.pk: case})
    try:
        yield
    finally:
        _held.reset(token)


def lock_case(case: Case | int) -> Case:
    """The case row, locked for this transaction, with member and organisation loaded."""
    pk = case.pk if isinstance(case, Case) else case
    held = (_held.get() or {}).get(pk)
    if held is not None:
        return held
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
    writes: Sequence[combined_writes.Write] = (),
) -> TimelineEntry:
    """One timeline entry and one audit event for the step, inside the caller's transaction;
    with the caller's `writes` (e.g. the case row's UPDATE), one statement on PostgreSQL."""
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    details = json.loads(json.dumps(details or {}, ensure_ascii=False, default=str))
    entry = TimelineEntry(
        case=case,
        actor_id=actor_id,
        action=action,
        from_status=before,
        to_status=after,
        comment=comment,
        details=details or {},
    )
    _, results = audit_record_with(
        [*writes, combined_writes.insert(entry)],
        actor=actor,
        action=action,
        obj=obj if obj is not None else case,
        organisation=case.organisation,
        before={"status": before},
        after={"status": after, "case": case.pk, **(details or {})},
        reason=comment,
    )
    entry.pk = results[-1]
    entry._state.adding = False
    entry._state.db = "default"
    return entry


def save_case(case: Case, *fields: str) -> None:
    case.save(update_fields=["status", "updated_at", *fields])


def case_update(case: Case, *fields: str) -> combined_writes.Write:
    """The UPDATE `save_case(case, *fields)` sends, to be combined with the step's records."""
    return combined_writes.update_fields(case, ["status", "updated_at", *fields])


def actor_id(actor: Actor) -> int | None:
    return actor.pk if actor is not None and actor.is_authenticated else None


def locked_proposal(case: Case) -> Proposal:
    """The case's pending proposal, locked; kept on the case (callers after the service,
    e.g. the step's documents, reuse it)."""
    if case.current_proposal_id is None:
        raise DomainError(_("本案尚无处置提议。"), code="no_proposal")
    proposal = Proposal.objects.select_for_update().get(pk=case.current_proposal_id)
    case.current_proposal = proposal
    return proposal


class Transition:
    """One case transition in progress (see `case_transition`)."""

    def __init__(self, case: Case, actor: Actor) -> None:
        self.case = case
        self.actor = actor
        self.name = ""
        self.before = self.after = case.status
        self.fields: list[str] = []
        # rows the step writes with the case row and its records (one statement on PostgreSQL)
        self.writes: list[combined_writes.Write] = []
        self.comment = ""
        self.details: dict[str, Any] = {}
        self.action = ""

    def fire(self, name: str, *, as_actor: bool = True, **kwargs: Any) -> None:
        """Fire transition `name` (its permission checked for the actor unless `as_actor`
        is False: a timer's transition)."""
        self.name = name
        self.before, self.after = fire(self.case, name, self.actor if as_actor else None, **kwargs)

    def save(self, *fields: str) -> None:
        self.fields.extend(fields)

    def note(
        self, *, comment: str = "", details: dict[str, Any] | None = None, action: str = ""
    ) -> None:
        """What the step's timeline entry says (`action` defaults to "case.<transition>")."""
        self.comment = comment
        self.details = details or {}
        self.action = action


@contextmanager
def case_transition(case: Case | int, actor: Actor) -> Iterator[Transition]:
    """Lock the case, let the block fire one transition and write its rows, then save the
    case, record the step (timeline + audit) and run the case_changed hooks — one
    transaction; an error anywhere rolls all of it back."""
    with atomic():
        step = Transition(lock_case(case), actor)
        yield step
        if not step.name:
            raise RuntimeError("case_transition: the block fired no transition")
        record_step(
            writes=[case_update(step.case, *step.fields), *step.writes],
            case=step.case,
            actor=step.actor,
            action=step.action or f"case.{step.name}",
            before=step.before,
            after=step.after,
            comment=step.comment,
            details=step.details,
        )
        hooks.case_changed.run_now([step.case.pk], step.actor)


__all__ = [
    "Actor",
    "Transition",
    "actor_id",
    "case_row_held",
    "case_transition",
    "case_update",
    "fire",
    "lock_case",
    "locked_proposal",
    "record_step",
    "save_case",
    "status_label",
    "transaction",
]
