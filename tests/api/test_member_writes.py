"""The register's writes through /api/v1/: member edit (PATCH), relatives, dues, a
transfer's receipt, reconnect links and the pending changes they bring, member imports
(upload, poll, report) — the screens' services, their refusals included."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.models import AuditEvent, ImportStatus, Member, MemberChange, Relative
from casework.services.ledgers import relation_transfer_issue
from integrations.models import PendingContactChange
from integrations.services.reconnect import reconnect_confirm
from tests.factories import make_member
from tests.web.test_register_pages import _upload

pytestmark = pytest.mark.django_db


def test_a_member_is_edited_field_by_field(world, client_for) -> None:
    member = make_member(world.branch, name="张三", phone="13800138000")
    secretary = client_for(world.secretary)
    url = f"/api/v1/members/{member.pk}/"
    changed = secretary.patch(
        url, {"employer": "新单位", "phone": "13912345678", "key_groups": [1]}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["employer"] == "新单位"
    assert changed.json()["phone_masked"] != "13912345678"
    member.refresh_from_db()
    assert member.phone == "13912345678" and member.name == "张三"
    assert MemberChange.objects.filter(member=member).exists()
    bad = secretary.patch(url, {"id_number": "123"}, format="json")
    assert bad.status_code == 422 and "id_number" in bad.json()["errors"]
    assert client_for(world.inspector).patch(url, {"employer": "x"}, format="json").status_code in (
        403,
        404,
    )
    assert (
        client_for(world.outsider).patch(url, {"employer": "x"}, format="json").status_code == 404
    )
    assert Member.objects.get(pk=member.pk).employer == "新单位"


def test_relatives_are_added_listed_and_removed(world, client_for) -> None:
    member = make_member(world.branch)
    client = client_for(world.secretary)
    url = f"/api/v1/members/{member.pk}/relatives/"
    added = client.post(
        url, {"name": "李母", "relation": "母亲", "phone": "13700000000"}, format="json"
    )
    assert added.status_code == 201, added.json()
    assert "phone" not in added.json()
    listed = client.get(url).json()["results"]
    assert [r["name"] for r in listed] == ["李母"]
    assert client.post(url, {"name": "", "relation": "父亲"}, format="json").status_code == 400
    removed = client.delete(f"{url}{added.json()['id']}/")
    assert removed.status_code == 204 and not Relative.objects.exists()
    assert AuditEvent.objects.filter(action="relative.remove").count() == 1


def test_dues_and_a_transfer_receipt_are_recorded(world, client_for) -> None:
    member = make_member(world.branch)
    client = client_for(world.officer)
    today = timezone.localdate()
    paid = client.post(
        f"/api/v1/members/{member.pk}/dues/",
        {"paid_until": today.replace(day=1).isoformat(), "amount": "12.50", "paid_on": str(today)},
        format="json",
    )
    assert paid.status_code == 201, paid.json()
    assert Member.objects.get(pk=member.pk).dues_paid_until == today.replace(day=1)
    negative = client.post(
        f"/api/v1/members/{member.pk}/dues/",
        {"paid_until": str(today), "amount": "-1", "paid_on": str(today)},
        format="json",
    )
    assert negative.status_code == 422

    transfer = relation_transfer_issue(
        member=member,
        serial="转2026-1",
        issued_on=today - dt.timedelta(days=30),
        valid_until=today + dt.timedelta(days=30),
        to_name="某社区党委",
        actor=world.officer,
    )
    url = f"/api/v1/transfers/{transfer.pk}/receipt/"
    early = client.post(url, {"returned_on": str(today - dt.timedelta(days=60))}, format="json")
    assert early.status_code == 422
    done = client.post(url, {"returned_on": str(today)}, format="json")
    assert done.status_code == 200 and done.json()["receipt_returned_on"] == str(today)


def test_a_reconnect_link_is_sent_and_the_members_change_decided(
    world, client_for, settings, django_capture_on_commit_callbacks, tmp_path
) -> None:
    settings.LIANLUO_SMS_BACKEND = "integrations.messaging.console.FileBackend"
    settings.LIANLUO_MESSAGE_FILE_DIR = str(tmp_path)
    member = make_member(world.branch, phone="13800138000")
    client = client_for(world.officer)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/api/v1/members/{member.pk}/reconnect/")
    assert sent.status_code == 201, sent.json()
    assert "token" not in sent.json() and "url" not in sent.json()
    from integrations.models import ReconnectLink
    from integrations.services.reconnect import _token

    link = ReconnectLink.objects.get(pk=sent.json()["link"])
    reconnect_confirm(token=_token(link), phone="13911112222", residence="")
    (change,) = client.get("/api/v1/contact-changes/").json()["results"]
    assert change["member"] == member.pk and "13911112222" not in change["phone_masked"]
    decided = client.post(
        f"/api/v1/contact-changes/{change['id']}/decide/", {"decision": "accept"}, format="json"
    )
    assert decided.status_code == 200, decided.json()
    assert PendingContactChange.objects.get().status == "accepted"
    assert Member.objects.get(pk=member.pk).phone == "13911112222"
    again = client.post(
        f"/api/v1/contact-changes/{change['id']}/decide/", {"decision": "reject"}, format="json"
    )
    assert again.status_code == 404


def test_an_import_is_uploaded_polled_and_reported(
    world, client_for, django_capture_on_commit_callbacks, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    client = client_for(world.secretary)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            "/api/v1/imports/",
            {"organisation": world.branch.pk, "file": _upload(2, bad=True)},
            format="multipart",
        )
    assert started.status_code == 202, started.json()
    job = client.get(f"/api/v1/imports/{started.json()['id']}/").json()
    assert job["status"] == ImportStatus.DONE
    assert job["created"] == 2 and job["rejected"] == 1 and job["report"]
    assert Member.objects.filter(name__startswith="导入").count() == 2
    wrong = client.post(
        "/api/v1/imports/",
        {"organisation": world.other_branch.pk, "file": _upload(1)},
        format="multipart",
    )
    assert wrong.status_code == 422 and "organisation" in wrong.json()["errors"]
    assert client_for(world.outsider).get(f"/api/v1/imports/{job['id']}/").status_code == 404
