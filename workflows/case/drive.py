"""Drive a case through its flow the way users do: a user picked by the task's role completes
the task's form. Used by `render_samples` and the documents' golden tests.

`complete_task` is the one place that turns form data into a completed step; it goes through
`workflows.services.task_complete_with_data` (the path the task pages and the API take).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.http import QueryDict
from django.utils import timezone

from casework.access import has_role_over
from casework.errors import DomainError, InvalidData
from casework.models import Case, MeetingResolution, Proposal, RoleAssignment
from workflows import services
from workflows.models import TaskDue


def complete_task(*, task_id: int, user: AbstractBaseUser, data: dict[str, Any]) -> str:
    """Validate `data` with the task's step form and apply the step as `user` ("completed",
    or "recorded" for an action that keeps the task open). DomainError on invalid data."""
    form_data = QueryDict(mutable=True)
    for name, value in data.items():
        values = value if isinstance(value, list | tuple) else [value]
        form_data.setlist(name, [str(v) for v in values])
    try:
        done = services.task_complete_with_data(task_id=task_id, user=user, data=form_data)
    except InvalidData as exc:
        node = TaskDue.objects.values_list("node", flat=True).get(task_id=task_id)
        raise DomainError(f"{node}: {exc.errors}", code="invalid_form") from exc
    return "completed" if done.completed else "recorded"


def role_holders(due: TaskDue) -> list[AbstractBaseUser]:
    """Users holding the task's role at its organisation or above, the nearest and most
    specialised first (an officer before a secretary who also holds the officer role)."""
    org = due.role_organisation
    ids = [int(p) for p in org.path.strip("/").split("/") if p]
    rows = RoleAssignment.objects.filter(
        role=due.role, organisation_id__in=ids, is_active=True
    ).values_list("user_id", "organisation__depth")
    depth = {user_id: d for user_id, d in rows}
    roles = {
        user_id: RoleAssignment.objects.filter(user_id=user_id, is_active=True).count()
        for user_id in depth
    }
    users = get_user_model()._default_manager.filter(pk__in=depth)
    return sorted(users, key=lambda u: (-depth[u.pk], roles[u.pk], u.pk))


def _barred(case: Case, node: str) -> set[int]:
    """Users the rules bar from a step: the proposer and the meeting's recorder approve nothing
    of their own proposal."""
    if node != "approval" or case.current_proposal_id is None:
        return set()
    proposer = Proposal.objects.filter(pk=case.current_proposal_id).values_list(
        "proposed_by_id", flat=True
    )
    recorders = MeetingResolution.objects.filter(proposal_id=case.current_proposal_id).values_list(
        "recorded_by_id", flat=True
    )
    return {i for i in [*proposer, *recorders] if i is not None}


def open_task(case: Case, node: str) -> TaskDue:
    return TaskDue.objects.select_related("role_organisation", "owner").get(
        case_id=case.pk, node=node, state__in=["open", "assigned"]
    )


def act(case: Case, node: str, data: dict[str, Any]) -> AbstractBaseUser:
    """Complete the open `node` task of `case` as a user picked by the task's role; returns
    who did it. A task left assigned to someone without its role (a repeated step given to its
    previous owner) is released by them and claimed by the role's holder."""
    due = open_task(case, node)
    barred = _barred(case, node)
    holders = [u for u in role_holders(due) if u.pk not in barred]
    if not holders:
        raise DomainError(f"{node}: nobody holds {due.role} at {due.role_organisation}")
    user = holders[0]
    if due.owner_id is not None:
        owner: Any = due.owner
        if owner.pk not in barred and has_role_over(owner, due.role_organisation, [due.role]):
            user = owner
        else:
            services.task_release(task_id=due.task_id, user=owner)
    if TaskDue.objects.filter(task_id=due.task_id, owner__isnull=True).exists():
        services.task_claim(task_id=due.task_id, user=user)
    complete_task(task_id=due.task_id, user=user, data=data)
    return user


class Clock:
    """The time the flow sees (django.utils.timezone.now), moved forward as a case would wait:
    defence periods, correction deadlines, a department's answer days."""

    def __init__(self, start: dt.date) -> None:
        self.moment = timezone.make_aware(dt.datetime.combine(start, dt.time(9)))

    def now(self) -> dt.datetime:
        self.moment += dt.timedelta(seconds=1)  # every event its own moment, in order
        return self.moment

    @property
    def today(self) -> dt.date:
        return timezone.localtime(self.moment).date()

    def advance(self, *, days: int = 0, hours: int = 0) -> None:
        self.moment += dt.timedelta(days=days, hours=hours)

    def until(self, day: dt.date) -> None:
        target = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
        self.moment = max(self.moment, target)

    @contextmanager
    def running(self) -> Iterator[Clock]:
        """Patch timezone.now, and the model fields that took it as their default."""
        original = timezone.now
        fields = [
            f
            for model in apps.get_models()
            for f in model._meta.concrete_fields
            if getattr(f, "default", None) is original
        ]
        with ExitStack() as stack:
            stack.enter_context(mock.patch.object(timezone, "now", self.now))
            for f in fields:
                # Field caches its default callable (_get_default): patch the cache first (it
                # then holds the real function and is restored to it), then the default.
                stack.enter_context(mock.patch.object(f, "_get_default", self.now))
                stack.enter_context(mock.patch.object(f, "default", self.now))
            yield self
