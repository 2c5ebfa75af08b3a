"""The queue screens on the flow's selectors and services: columns, sorting, filters,
claim / release / reassign / bulk reassign, scope, constant queries."""

from __future__ import annotations

import pytest
from django.test import Client

from casework.models import AuditEvent, Member, Role
from tests.factories import make_user
from tests.workflows.flow_helpers import open_case, open_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pdf_render(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)


def test_an_officer_claims_from_the_group_queue_and_releases_it_again(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks, name="林小梅")
    due = open_task(case, "outreach")
    client.force_login(world.officer)

    queue = client.get("/queues/group/").content.decode()
    assert f'data-task="{due.task_id}"' in queue and "林小梅" in queue and "测试第一党支部" in queue

    response = client.post(f"/queues/task/{due.task_id}/claim/", {"next": "/queues/"})
    assert response.status_code == 302 and response["Location"] == "/queues/"
    assert f'data-task="{due.task_id}"' in client.get("/queues/").content.decode()
    assert f'data-task="{due.task_id}"' not in client.get("/queues/group/").content.decode()
    assert AuditEvent.objects.filter(action="task.claim").exists()

    client.post(f"/queues/task/{due.task_id}/release/")
    assert f'data-task="{due.task_id}"' in client.get("/queues/group/").content.decode()


def test_a_task_taken_by_someone_else_cannot_be_claimed_again(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    due = open_task(case, "outreach")
    client.force_login(world.officer)
    client.post(f"/queues/task/{due.task_id}/claim/")
    client.force_login(world.secretary)

    response = client.post(f"/queues/task/{due.task_id}/claim/")

    assert response.status_code in (403, 409)


def test_an_outsider_neither_sees_nor_claims_the_task(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    due = open_task(case, "outreach")
    client.force_login(world.outsider)

    assert f'data-task="{due.task_id}"' not in client.get("/queues/group/").content.decode()
    assert client.post(f"/queues/task/{due.task_id}/claim/").status_code in (403, 404)


def test_queues_filter_and_sort(world, client: Client, django_capture_on_commit_callbacks) -> None:
    first = open_case(world, django_capture_on_commit_callbacks, name="一号")
    second = open_case(world, django_capture_on_commit_callbacks, name="二号")
    Member.objects.filter(pk=second.member_id).update(key_groups=1)
    client.force_login(world.officer)

    def order(query: str) -> list[int]:
        html = client.get(f"/queues/group/?{query}").content.decode()
        found = [(html.find(f'data-case="{c.pk}"'), c.pk) for c in (first, second)]
        return [pk for pos, pk in sorted(found) if pos >= 0]

    assert order("sort=member") == [first.pk, second.pk]
    assert order("sort=-member") == [second.pk, first.pk]
    assert order("group=1") == [second.pk]
    assert order("q=一号") == [first.pk]
    assert order("overdue=1") == []


def test_bulk_reassign_moves_an_absent_officers_tasks(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    cases = [open_case(world, django_capture_on_commit_callbacks) for _ in range(2)]
    colleague = make_user("officer2", Role.CONTACT_OFFICER, world.branch)
    client.force_login(world.officer)
    for case in cases:
        client.post(f"/queues/task/{open_task(case, 'outreach').task_id}/claim/")
    client.force_login(world.secretary)

    response = client.post(
        "/queues/bulk-reassign/", {"absent": "officer", "to": "officer2", "reason": "病假"}
    )

    assert response.status_code == 302
    assert AuditEvent.objects.filter(action__contains="reassign").count() == 2
    client.force_login(colleague)  # type: ignore[arg-type]
    inbox = client.get("/queues/").content.decode()
    assert all(f'data-case="{c.pk}"' in inbox for c in cases)


def test_the_queue_page_runs_a_constant_number_of_queries(
    world, client: Client, django_capture_on_commit_callbacks, django_assert_max_num_queries
) -> None:
    open_case(world, django_capture_on_commit_callbacks)
    client.force_login(world.officer)
    with django_assert_max_num_queries(12):
        assert client.get("/queues/group/?sort=since").status_code == 200
    for _ in range(8):
        open_case(world, django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(12):
        assert client.get("/queues/group/?sort=since").status_code == 200


def test_the_case_page_shows_the_current_task_and_the_dashboard_counts_it_when_overdue(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    import datetime as dt

    from django.utils import timezone

    from casework.selectors.dashboard import dashboard_for_user
    from web.dashboard.upper import add_upper_floor_figures
    from workflows.models import TaskDue

    case = open_case(world, django_capture_on_commit_callbacks)
    due = open_task(case, "outreach")
    client.force_login(world.officer)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'data-task="{due.task_id}"' in page

    TaskDue.objects.filter(pk=due.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
    board = dashboard_for_user(user=world.approver)
    add_upper_floor_figures(board)
    assert board.total.overdue_tasks == 1


def test_every_queue_page_runs_a_constant_number_of_queries(
    world, client: Client, django_capture_on_commit_callbacks, django_assert_max_num_queries
) -> None:
    from workflows import services

    def grow(n: int) -> None:
        for _ in range(n):
            case = open_case(world, django_capture_on_commit_callbacks)
            services.task_claim(task_id=open_task(case, "outreach").task_id, user=world.officer)
            open_case(world, django_capture_on_commit_callbacks)  # one left unclaimed

    client.force_login(world.officer)
    pages = ("/queues/", "/queues/group/", "/queues/approvals/", "/queues/archive/")
    grow(1)
    counts = {}
    for url in pages:
        with django_assert_max_num_queries(12) as captured:
            assert client.get(url).status_code == 200
        counts[url] = len(captured.captured_queries)
    grow(6)
    for url in pages:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(f"{url}?sort=-member").status_code == 200


def test_the_flows_own_queue_pages_lead_to_ours(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    case = open_case(world, django_capture_on_commit_callbacks)
    due = open_task(case, "outreach")
    client.force_login(world.officer)
    for old, new in (
        ("/workflows/", "/queues/"),
        ("/workflows/inbox/", "/queues/"),
        ("/workflows/queue/?stage=registered", "/queues/group/?stage=registered"),
        ("/workflows/archive/", "/queues/archive/"),
        ("/workflows/approvals/", "/queues/approvals/"),
    ):
        response = client.get(old)
        assert response.status_code == 302 and response["Location"] == new, old
    # The task page's menu lists our queues, not viewflow's inbox/queue/archive.
    task_page = client.get(f"/workflows/{due.task.process_id}/outreach/{due.task_id}/execute/")
    html = task_page.content.decode()
    assert task_page.status_code == 200
    assert 'href="/queues/group/"' in html and 'href="/queues/approvals/"' in html
    assert "/workflows/inbox/" not in html and "/workflows/queue/" not in html


def test_the_queue_total_counts_the_bare_task_filter(
    world, client: Client, django_capture_on_commit_callbacks, django_assert_max_num_queries
) -> None:
    for _ in range(3):
        open_case(world, django_capture_on_commit_callbacks)
    client.force_login(world.officer)
    with django_assert_max_num_queries(12) as captured:
        page = client.get("/queues/group/?sort=member&stage=registered")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 3
    (count,) = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"]]
    # no join to the flow task or the member just to count (50,000 rows at scale)
    assert "viewflow_task" not in count and "casework_member" not in count


def test_overdue_tasks_count_on_the_focus_row_and_on_the_child_row_holding_them(
    world, django_capture_on_commit_callbacks
) -> None:
    import datetime as dt

    from django.utils import timezone

    from casework.selectors.dashboard import dashboard_for_user
    from web.dashboard.upper import add_upper_floor_figures
    from workflows.models import TaskDue

    places = [world.branch, world.branch, world.committee, world.other_branch]
    for place in places:
        due = open_task(open_case(world, django_capture_on_commit_callbacks), "outreach")
        TaskDue.objects.filter(pk=due.pk).update(
            organisation=place, due_at=timezone.now() - dt.timedelta(days=1)
        )
    not_due = open_task(open_case(world, django_capture_on_commit_callbacks), "outreach")
    TaskDue.objects.filter(pk=not_due.pk).update(due_at=timezone.now() + dt.timedelta(days=1))

    board = dashboard_for_user(user=world.approver)  # the committee and its general branch
    add_upper_floor_figures(board)
    by_org = {row.organisation.pk: row.overdue_tasks for row in board.rows}
    assert by_org == {world.committee.pk: 3, world.general_branch.pk: 2}
