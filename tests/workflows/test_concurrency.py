"""PostgreSQL, real threads: two people complete the same task at once — one wins, the
other gets a Conflict, the flow has exactly one next task."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from casework.errors import Conflict
from casework.services import cases as svc
from tests.factories import make_member
from tests.workflows.flow_helpers import open_nodes, open_task
from workflows import services
from workflows.models import TaskDue


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_completions_of_the_same_task_one_wins(world, monkeypatch) -> None:
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)
    member = make_member(world.branch)
    case = svc.case_open(member=member, actor=world.officer)  # on_commit runs: autocommit
    due = open_task(case, "outreach")
    services.task_claim(task_id=due.task_id, user=world.officer)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def complete() -> None:
        try:
            barrier.wait()
            services.task_complete_with_data(
                task_id=due.task_id, user=world.officer, data={"action": "located"}
            )
            results.append("won")
        except Conflict as exc:
            results.append(f"conflict:{exc.code}")
        finally:
            connection.close()

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results)[-1] == "won" and sorted(results)[0].startswith("conflict")
    assert open_nodes(case) == ["talk"]
    assert TaskDue.objects.filter(case=case, node="talk").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_attempts_on_a_registered_case_all_succeed(world, monkeypatch) -> None:
    """Bug 7 of issue 16: many contact attempts recorded at once on a `registered` case
    through the outreach task (the one path that records them on a case) — the first moves
    it to outreach, none is refused (no illegal_transition, no busy, no aborted
    transaction)."""
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)
    from casework.models import ContactAttempt

    case = svc.case_open(member=make_member(world.branch), actor=world.officer)
    due = open_task(case, "outreach")
    services.task_claim(task_id=due.task_id, user=world.officer)
    threads_count = 20
    barrier = threading.Barrier(threads_count)
    results: list[str] = []

    def record(i: int) -> None:
        try:
            barrier.wait()
            services.task_complete_with_data(
                task_id=due.task_id,
                user=world.officer,
                data={"action": "record", "channel": "phone", "outcome": "no_answer"},
            )
            results.append("ok")
        except Exception as exc:
            results.append(f"{type(exc).__name__}:{getattr(exc, 'code', '')}:{exc}"[:300])
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(i,)) for i in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["ok"] * threads_count, results
    case.refresh_from_db()
    assert case.status == "outreach" and open_nodes(case) == ["outreach"]
    assert ContactAttempt.objects.filter(case=case).count() == threads_count
