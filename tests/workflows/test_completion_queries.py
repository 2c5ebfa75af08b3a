"""SQL queries per human-task completion through the flow stay bounded.

A regression guard at today's counts (SAVEPOINT/RELEASE included): the product goal is
<= 12 per completion and is NOT reached yet — see bench/bench_task_completions.py. A
completion = process lock, task + case lock, the service's rows, timeline, audit (3), the
step's documents (numbering, 4-6 each), the finished task, the next task and its queue row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.services import cases as svc
from tests.casework.case_helpers import talkers
from tests.workflows.flow_helpers import open_case, open_task, today
from workflows import services

pytestmark = pytest.mark.django_db

BUDGET = {"outreach": 11, "talk": 33, "assess_cause": 22, "approval": 38, "close": 24}


def _complete(case, node, user, perform, route=None, step=None) -> int:
    due = open_task(case, node)
    services.task_claim(task_id=due.task_id, user=user)
    with CaptureQueriesContext(connection) as ctx:
        services.task_complete(
            task_id=due.task_id,
            process_id=due.task.process_id,
            user=user,
            perform=perform,
            route=route,
            step=step,
        )
    return len(ctx.captured_queries)


def test_each_completion_of_the_located_path_stays_within_the_query_budget(
    world, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    a, b = talkers(world)
    counts = {
        "outreach": _complete(case, "outreach", world.officer, lambda c: c, route="talk"),
        "talk": _complete(
            case,
            "talk",
            world.officer,
            lambda c: svc.case_mark_located(
                case=c, actor=world.officer, talkers=(a, b), held_on=today(), content="谈话"
            ),
        ),
        "assess_cause": _complete(
            case,
            "assess_cause",
            world.officer,
            lambda c: svc.case_assess_cause(case=c, actor=world.officer, cause="objective"),
        ),
        "approval": _complete(
            case,
            "approval",
            world.approver,
            lambda c: svc.case_approve(case=c, actor=world.approver),
        ),
        "close": _complete(
            case, "close", world.officer, lambda c: svc.case_close(case=c, actor=world.officer)
        ),
    }
    assert all(counts[node] <= limit for node, limit in BUDGET.items()), counts
