"""The Prometheus endpoint: protected, with request counts, task latency and casework backlogs."""

import datetime as dt

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from casework.models import Case, Department, DepartmentKind, Inquiry
from casework.models.cases import CaseStatus
from casework.models.inquiries import InquiryStatus
from casework.tasks import worker_heartbeat
from tests.factories import make_member, make_user


def _value(body: str, sample: str) -> float:
    for line in body.splitlines():
        if line.startswith(sample + " "):
            return float(line.split()[-1])
    raise AssertionError(f"{sample} not in metrics")


@pytest.mark.django_db
def test_anonymous_and_non_staff_users_are_refused(client: Client) -> None:
    assert client.get("/metrics").status_code == 403
    client.force_login(make_user("officer"))  # type: ignore[arg-type]
    assert client.get("/metrics").status_code == 403


@pytest.mark.django_db
@override_settings(LIANLUO_METRICS_TOKEN="s3cret-scrape-token")
def test_a_scraper_with_the_token_gets_metrics_and_a_wrong_token_does_not(client: Client) -> None:
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")
    assert ok.status_code == 200
    assert ok["Content-Type"].startswith("text/plain")
    bad = client.get("/metrics", HTTP_AUTHORIZATION="Bearer guess")
    assert bad.status_code == 403


def test_staff_see_open_cases_overdue_inquiries_requests_and_task_latency(
    client: Client, world
) -> None:
    today = timezone.localdate()
    department = Department.objects.create(
        organisation=world.committee, kind=DepartmentKind.choices[0][0], name="县公安局"
    )
    other_department = Department.objects.create(
        organisation=world.committee, kind=DepartmentKind.choices[0][0], name="县人社局"
    )
    open_case = Case.objects.create(
        member=make_member(world.branch), organisation=world.branch, rule_set="2026"
    )
    Case.objects.create(
        member=make_member(world.branch),
        organisation=world.branch,
        rule_set="2026",
        status=CaseStatus.CLOSED,
    )
    Case.objects.create(
        member=make_member(world.branch),
        organisation=world.branch,
        rule_set="2026",
        status=CaseStatus.INQUIRY,
    )
    Inquiry.objects.create(
        case=open_case,
        department=department,
        status=InquiryStatus.SENT,
        due_date=today - dt.timedelta(days=1),
    )
    Inquiry.objects.create(  # not yet due
        case=open_case,
        department=other_department,
        status=InquiryStatus.SENT,
        due_date=today + dt.timedelta(days=3),
    )
    from casework.models import OutboxMessage

    OutboxMessage.objects.create(kind="letter.deliver", state="failed", last_error="HTTP 401")
    worker_heartbeat.delay("metrics")  # in-process: task signals still fire
    staff = make_user("ops")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)  # type: ignore[arg-type]
    client.get("/healthz")
    body = client.get("/metrics").content.decode()
    assert _value(body, 'lianluo_cases_open{status="registered"}') == 1
    assert _value(body, 'lianluo_cases_open{status="inquiry"}') == 1
    assert 'lianluo_cases_open{status="closed"}' not in body
    assert _value(body, "lianluo_inquiries_overdue") == 1
    requests = 'lianluo_http_requests_total{method="GET",status="200",view="healthz"}'
    assert _value(body, requests) >= 1
    assert (
        _value(
            body,
            'lianluo_task_duration_seconds_count{state="SUCCESS",'
            'task="casework.tasks.worker_heartbeat"}',
        )
        >= 1
    )
    assert "lianluo_metrics_collection_errors" in body
    assert "lianluo_workflow_timers_late 0.0" in body
    assert _value(body, 'lianluo_outbox_messages{state="failed"}') == 1
    assert _value(body, 'lianluo_outbox_messages{state="pending"}') == 0


def test_queue_depth_is_read_from_the_redis_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    from web import metrics

    lengths = {"celery": 4, "celery\x06\x163": 1}

    class FakePipeline:
        def __init__(self) -> None:
            self.keys: list[str] = []

        def llen(self, key: str) -> None:
            self.keys.append(key)

        def execute(self) -> list[int]:
            return [lengths.get(key, 0) for key in self.keys]

    class FakeRedis:
        def pipeline(self) -> FakePipeline:
            return FakePipeline()

        def close(self) -> None:
            pass

    import redis

    monkeypatch.setattr(redis.Redis, "from_url", classmethod(lambda cls, url, **kw: FakeRedis()))
    with override_settings(
        CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="redis://127.0.0.1:6379/6"
    ):
        assert metrics.queue_depths() == {"celery": 5}
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        assert metrics.queue_depths() == {}
