"""Eight processes × thirty audited actions (reveal, edit, export) in two organisations on
PostgreSQL: no deadlock, no lost event, every chain intact.

Locks are taken in one order everywhere: the rows a service changes first (only those rows:
`select_for_update(of=("self",))`, never the organisation joined to them), the audit stream's
head last (casework.audit)."""

from __future__ import annotations

import multiprocessing
import traceback
from typing import Any

import pytest
from django.db import connections

from casework.audit import verify_audit_chain
from casework.models import AuditEvent, Member, Role
from tests.factories import build_world, make_member, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PROCESSES = 8
ACTIONS = 30
AUDITED = ("member.reveal", "member.update", "roster.export")


def _work(index: int, plan: dict[str, Any], results: Any) -> None:
    """One process: its own database connection, ACTIONS audited actions."""
    from django.contrib.auth import get_user_model
    from django.db import OperationalError

    from casework.exports import roster_export
    from casework.models import Organisation
    from casework.services.members import member_reveal, member_update

    outcome: dict[str, Any] = {"done": 0, "deadlocks": 0, "errors": []}
    try:
        actor = get_user_model().objects.get(pk=plan["actors"][index])
        for step in range(ACTIONS):
            org_id = plan["orgs"][(index + step) % 2]
            members = plan["members"][org_id]
            member = Member.objects.select_related("organisation").get(
                pk=members[(index * 7 + step) % len(members)]
            )
            try:
                kind = (index + step) % 3
                if kind == 0:
                    member_reveal(member=member, actor=actor, fields=["phone", "residence"])
                elif kind == 1:
                    member_update(
                        member=member, actor=actor, changes={"occupation": f"岗位{index}-{step}"}
                    )
                else:
                    roster_export(user=actor, organisation=Organisation.objects.get(pk=org_id))
                outcome["done"] += 1
            except OperationalError as exc:
                if getattr(exc.__cause__, "sqlstate", "") == "40P01":
                    outcome["deadlocks"] += 1
                else:
                    outcome["errors"].append(repr(exc))
            except Exception as exc:
                outcome["errors"].append(repr(exc))
    except Exception:
        outcome["errors"].append(traceback.format_exc())
    finally:
        connections.close_all()
        results.put(outcome)


def test_concurrent_audited_actions_never_deadlock_and_lose_no_event() -> None:
    world = build_world()
    orgs = [world.branch, world.other_branch]
    plan = {
        "orgs": [org.pk for org in orgs],
        "members": {org.pk: [make_member(org).pk for _ in range(6)] for org in orgs},
        "actors": [
            make_user(f"coordinator{i}", Role.COORDINATOR, world.department).pk
            for i in range(PROCESSES)
        ],
    }
    before = AuditEvent.objects.filter(action__in=AUDITED).count()
    connections.close_all()  # each process opens its own connection
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes = [context.Process(target=_work, args=(i, plan, results)) for i in range(PROCESSES)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join(60)

    deadlocks = sum(o["deadlocks"] for o in outcomes)
    errors = [e for o in outcomes for e in o["errors"]]
    done = sum(o["done"] for o in outcomes)
    assert (deadlocks, errors) == (0, [])
    assert done == PROCESSES * ACTIONS
    assert AuditEvent.objects.filter(action__in=AUDITED).count() - before == done
    assert verify_audit_chain() == []
