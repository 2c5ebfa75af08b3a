"""SQL statements per human-task claim and completion through the flow stay bounded.

A regression guard at today's counts, on SQLite and on PostgreSQL (the test's own
SAVEPOINT/RELEASE pair included: 2 fewer outside a test's transaction, as in
bench/bench_task_completions.py, which prints each step's statements). The product goal is
<= 12 per completion (<= 15 for the approval). A completion on PostgreSQL = one SELECT … FOR
UPDATE of the process, the task and the case (member, organisation and its issuer profile
joined; workflows/case/lock.py), the service's own rows (e.g. the talk record, the
decision), one statement for the case row + timeline entry + audit event (+ the rows the
step writes with them; casework.combined_writes, the audit append a compare-and-set on the
stream head), the step's documents (the rows their text quotes, counter upsert, document,
audit event), and one statement for the finished task + its queue row + the next task + its
`previous` link + its queue row (at the end: the process marked done). Elsewhere (SQLite)
those combined statements run one by one.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.models import Task

from tests.casework.case_helpers import talkers
from tests.workflows.flow_helpers import open_case, open_task, step, today
from workflows import services
from workflows.models import TaskDue

pytestmark = pytest.mark.django_db

# assess_cause (objective) issues the branch's request (请示) and close the case dossier: their
# text quotes the search (contact attempts, inquiries), the talk, the signer and the timeline.
BUDGET = {
    "postgresql": {"outreach": 4, "talk": 9, "assess_cause": 13, "approval": 15, "close": 11},
    "sqlite": {"outreach": 8, "talk": 17, "assess_cause": 21, "approval": 24, "close": 19},
}
CLAIM_BUDGET = {"postgresql": 6, "sqlite": 10}


def _complete(case, node, user, claims, **data) -> int:
    due = open_task(case, node)
    with CaptureQueriesContext(connection) as claim:
        services.task_claim(task_id=due.task_id, user=user)
    claims.append(len(claim.captured_queries))
    process_id = due.task.process_id
    form = services.task_form(task_id=due.task_id, user=user, data=data)
    assert form.is_valid(), form.errors
    with CaptureQueriesContext(connection) as ctx:
        services.task_complete(
            task_id=due.task_id, process_id=process_id, user=user, data=form.cleaned_data
        )
    return len(ctx.captured_queries)


def test_each_claim_and_completion_of_the_located_path_stays_within_the_query_budget(
    world, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    a, b = talkers(world)
    claims: list[int] = []
    counts = {
        "outreach": _complete(case, "outreach", world.officer, claims, action="located"),
        "talk": _complete(
            case,
            "talk",
            world.officer,
            claims,
            talker1=a.pk,
            talker2=b.pk,
            held_on=today(),
            content="谈话",
            place="党支部活动室",
            recorder=b.pk,
        ),
        "assess_cause": _complete(case, "assess_cause", world.officer, claims, cause="objective"),
        "approval": _complete(case, "approval", world.approver, claims, decision="agree"),
        "close": _complete(case, "close", world.officer, claims),
    }
    budget = BUDGET["postgresql" if connection.vendor == "postgresql" else "sqlite"]
    claim_budget = CLAIM_BUDGET["postgresql" if connection.vendor == "postgresql" else "sqlite"]
    assert all(counts[node] <= limit for node, limit in budget.items()), counts
    assert max(claims) <= claim_budget, claims


def test_the_owners_carried_from_task_to_task_match_the_queue_rows_after_a_send_back(
    world, django_capture_on_commit_callbacks
) -> None:
    """`done_by` in task.data replaces a TaskDue query when a step is created; it must say
    what the queue rows say: the owner of the latest completion of each human step."""
    from tests.workflows.test_case_flow import _not_located

    case = open_case(world, django_capture_on_commit_callbacks)
    case = _not_located(world, case)
    case = step(case, "propose", world.secretary, kind="suspend", reasons="研究")
    case = step(
        case, "pre_review", world.approver, decision="send_back", comment="事实不清，请补充"
    )
    due = open_task(case, "propose")
    expected: dict[str, int | None] = {}
    for row in TaskDue.objects.filter(case=case, state="done").order_by("finished_at"):
        expected[row.node] = row.owner_id
    assert Task.objects.get(pk=due.task_id).data["done_by"] == expected
    assert expected["propose"] == world.secretary.pk == due.owner_id
