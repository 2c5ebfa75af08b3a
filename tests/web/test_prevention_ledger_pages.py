"""The prevention screens through their URLs: each write lands through its service, another
branch's objects are 404, an inspector's POST is 403, personal data stays masked."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from casework.models import (
    AbroadRecord,
    AuditEvent,
    BranchNoticeRecipient,
    ContactAttempt,
    DeliveryStatus,
    DepartureTalk,
    FollowUp,
    LedgerHandover,
    MobileRecord,
    RollCall,
    TrainingRecord,
)
from casework.services.ledgers import ledger_keeper_assign
from documents.models import IssuerProfile
from integrations.services.reconnect import reconnect_link_create
from tests.factories import make_member

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def test_a_handover_is_recorded_confirmed_and_its_record_issued(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    ledger_keeper_assign(organisation=world.branch, keeper=world.officer, since=TODAY, actor=None)
    url = f"/prevention/organisations/{world.branch.pk}/handovers/new/"
    data = {
        "to_user": world.secretary.pk,
        "handed_over_on": TODAY.isoformat(),
        "ledgers": ["roster", "abroad"],
        "checked": ["complete"],
        "items": "花名册1册",
    }
    assert _login(client, world.inspector).post(url, data).status_code == 403
    assert _login(client, world.outsider).post(url, data).status_code == 404
    response = _login(client, world.secretary).post(url, data)
    handover = LedgerHandover.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{handover.pk}/")
    page = client.get(f"/prevention/handovers/{handover.pk}/").content.decode()
    assert "党员花名册" in page and "confirm-handover" in page
    client.post(f"/prevention/handovers/{handover.pk}/confirm/")
    _login(client, world.officer).post(f"/prevention/handovers/{handover.pk}/confirm/")
    handover.refresh_from_db()
    assert handover.is_complete
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/prevention/handovers/{handover.pk}/record/")
    handover.refresh_from_db()
    assert handover.record_document_id is not None
    pdf = client.get(f"/prevention/handovers/{handover.pk}/record/")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    assert (
        _login(client, world.outsider).get(f"/prevention/handovers/{handover.pk}/").status_code
        == 404
    )


def test_the_branch_page_shows_the_keeper_s_absence(world, client: Client) -> None:
    page = _login(client, world.secretary).get(f"/prevention/organisations/{world.branch.pk}/")
    assert 'id="keeper-absent"' in page.content.decode()
    ledger_keeper_assign(organisation=world.branch, keeper=world.officer, since=TODAY, actor=None)
    page = client.get(f"/prevention/organisations/{world.branch.pk}/")
    assert 'id="keeper-absent"' not in page.content.decode()
    assert (
        _login(client, world.outsider)
        .get(f"/prevention/organisations/{world.branch.pk}/")
        .status_code
        == 404
    )


def test_a_roll_call_records_who_answered_and_follows_up_the_silent(world, client: Client) -> None:
    answers = make_member(world.branch, name="应答甲", contact_officer=world.officer)
    silent = make_member(world.branch, name="未答乙", contact_officer=world.officer)
    url = f"/prevention/organisations/{world.branch.pk}/roll-calls/new/"
    form = _login(client, world.secretary).get(url).content.decode()
    assert "应答甲" in form and "未答乙" in form
    data = {"held_on": TODAY.isoformat(), f"member_{answers.pk}": "on"}
    assert _login(client, world.inspector).post(url, data).status_code == 403
    response = _login(client, world.secretary).post(url, data)
    roll_call = RollCall.objects.get()
    assert response.status_code == 302
    entries = dict(roll_call.entries.values_list("member__name", "answered"))
    assert entries == {"应答甲": True, "未答乙": False}
    assert FollowUp.objects.filter(object_id=str(silent.pk), assignee=world.officer).exists()
    detail = client.get(f"/prevention/roll-calls/{roll_call.pk}/").content.decode()
    assert "未应答，已交包干联系人跟进" in detail
    assert (
        _login(client, world.outsider).get(f"/prevention/roll-calls/{roll_call.pk}/").status_code
        == 404
    )


def test_going_abroad_and_back(world, client: Client) -> None:
    member = make_member(world.branch, name="出境丙")
    url = f"/prevention/organisations/{world.branch.pk}/abroad/new/"
    data = {"member": member.pk, "destination": "日本东京", "left_on": TODAY.isoformat()}
    assert _login(client, world.inspector).post(url, data).status_code == 403
    assert _login(client, world.secretary).post(url, data).status_code == 302
    record = AbroadRecord.objects.get()
    assert "日本东京" in client.get("/prevention/abroad/").content.decode()
    client.post(f"/prevention/abroad/{record.pk}/return/", {"day": TODAY.isoformat()})
    record.refresh_from_db()
    assert record.returned_on == TODAY
    other = make_member(world.other_branch)
    data["member"] = other.pk  # a member of another branch is not in the form's choices
    assert client.post(url, data).status_code == 400


def test_a_certificate_for_six_months_needs_the_talk_in_the_same_form(
    world, client: Client
) -> None:
    member = make_member(world.branch, name="流动丁")
    url = f"/prevention/organisations/{world.branch.pk}/mobile/new/"
    data = {
        "member": member.pk,
        "certificate_no": "LD-2026-1",
        "destination": "广东省深圳市",
        "start_on": TODAY.isoformat(),
        "expected_months": 8,
    }
    refused = _login(client, world.secretary).post(url, data)
    assert refused.status_code == 400 and "须先进行行前谈话" in refused.content.decode()
    data.update(
        talk_on=TODAY.isoformat(), talker=world.officer.pk, talk_content="外出期间每半年报告"
    )
    response = client.post(url, data)
    record = MobileRecord.objects.get()
    assert response.status_code == 302 and DepartureTalk.objects.get().mobile_record == record
    client.post(f"/prevention/mobile/{record.pk}/report/", {"day": TODAY.isoformat()})
    client.post(
        f"/prevention/mobile/{record.pk}/renew/",
        {
            "renewed_on": TODAY.isoformat(),
            "valid_until": (TODAY + dt.timedelta(days=365)).isoformat(),
        },
    )
    assert (
        _login(client, world.inspector)
        .post(f"/prevention/mobile/{record.pk}/return/", {"day": TODAY.isoformat()})
        .status_code
        == 403
    )
    _login(client, world.secretary).post(
        f"/prevention/mobile/{record.pk}/return/", {"day": TODAY.isoformat()}
    )
    record.refresh_from_db()
    assert record.last_report_on == TODAY and record.renewed_on == TODAY
    assert record.certificate_returned_on == TODAY
    assert _login(client, world.outsider).get(f"/prevention/mobile/{record.pk}/").status_code == 404


def test_training_and_letters(world, client: Client, django_capture_on_commit_callbacks) -> None:
    member = make_member(world.branch, name="学习戊", is_abroad=True)
    url = f"/prevention/organisations/{world.branch.pk}/training/new/"
    data = {
        "kind": "charter",
        "topic": "学习党章",
        "trained_on": TODAY.isoformat(),
        "members": [member.pk],
    }
    assert _login(client, world.secretary).post(url, data).status_code == 302
    assert TrainingRecord.objects.get().member == member
    letters_url = f"/prevention/organisations/{world.branch.pk}/letters/"
    # no contact the member could call (no contact card, no issuer profile): refused, unwritten
    refused = client.post(letters_url, follow=True).content.decode()
    assert "缺少必要事实“党支部联系人”" in refused
    assert not ContactAttempt.objects.filter(member=member, channel="letter").exists()
    IssuerProfile.objects.create(
        organisation=world.branch, contact_person="林晓东", contact_phone="0591-87654321"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(letters_url)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "学习戊" in page
    assert ContactAttempt.objects.filter(member=member, channel="letter").count() == 1
    again = client.post(f"/prevention/organisations/{world.branch.pk}/letters/", follow=True)
    assert "本支部今天已寄发过党员信函" in again.content.decode()
    assert (
        _login(client, world.inspector)
        .post(f"/prevention/organisations/{world.branch.pk}/letters/")
        .status_code
        == 403
    )


def test_the_branch_card_is_public_printable_and_linked_from_the_reconnect_page(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    url = f"/prevention/organisations/{world.branch.pk}/card/"
    data = {
        "name_0": "林书记",
        "duty_0": "支部书记",
        "phone_0": "13900000001",
        "landline": "0591-87654321",
        "channel_name": "福州党员e家",
        "channel_url": "https://example.org/e",
        "is_published": "on",
    }
    assert _login(client, world.inspector).post(url, data).status_code == 403
    assert _login(client, world.secretary).post(url, data).status_code == 302
    code = world.branch.contact_card.public_code
    public = Client().get(f"/integrations/card/{code}/")
    html = public.content.decode()
    assert public.status_code == 200 and "林书记" in html and "0591-87654321" in html
    assert "@media print" in html
    member = make_member(world.branch, name="确认己", phone="13900000099")
    with django_capture_on_commit_callbacks(execute=True):
        link = reconnect_link_create(member=member, actor=world.secretary)
    path = link.url.split("127.0.0.1:8000", 1)[-1]
    reconnect = Client().get(path).content.decode()
    assert f"/integrations/card/{code}/" in reconnect
    assert Client().get("/integrations/card/nope/").status_code == 404


def test_a_notice_goes_to_every_member_and_each_message_is_a_contact_attempt(
    world, client: Client, django_capture_on_commit_callbacks
) -> None:
    members = [make_member(world.branch, name=f"通知{i}", phone=f"1390000001{i}") for i in range(3)]
    url = f"/prevention/organisations/{world.branch.pk}/notices/new/"
    data = {"title": "主题党日", "text": "周六九点支部活动室。", "channel": "sms"}
    assert _login(client, world.inspector).post(url, data).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = _login(client, world.secretary).post(url, data)
    assert response.status_code == 302
    sent = BranchNoticeRecipient.objects.filter(status=DeliveryStatus.SENT)
    assert sent.count() == 3
    attempts = ContactAttempt.objects.filter(member__in=members, channel="sms")
    assert attempts.count() == 3 and all("branch_notice" in a.notes for a in attempts)
    assert "3 / 3" in client.get(response["Location"]).content.decode()


def test_data_quality_page_and_its_masked_audited_export(world, client: Client) -> None:
    make_member(world.branch, name="缺电话", phone="", id_number="350102198506150116")
    page = _login(client, world.inspector).get(f"/prevention/quality/?org={world.branch.pk}")
    html = page.content.decode()
    assert (
        page.status_code == 200
        and "缺电话" in html
        and 'data-issue="no_phone" class="ll-overdue">1<' in html
    )
    assert "350102198506150116" not in html
    export = client.get(f"/prevention/quality/export.xlsx?org={world.branch.pk}")
    cells = [
        c
        for row in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)
        for c in row
    ]
    assert "缺电话" in cells and "350102198506150116" not in cells
    assert (
        AuditEvent.objects.filter(action="data_quality.export", actor=world.inspector).count() == 1
    )
    assert (
        _login(client, world.outsider)
        .get(f"/prevention/quality/?org={world.branch.pk}")
        .status_code
        == 404
    )


def test_confirming_a_record_and_the_contact_duty_list(world, client: Client) -> None:
    member = make_member(world.branch, name="核对庚", contact_officer=world.officer)
    assert (
        _login(client, world.inspector)
        .post(f"/prevention/members/{member.pk}/confirm/")
        .status_code
        == 403
    )
    _login(client, world.secretary).post(f"/prevention/members/{member.pk}/confirm/")
    member.refresh_from_db()
    assert member.info_confirmed_on == TODAY
    duty = _login(client, world.officer).get("/prevention/duty/").content.decode()
    assert "核对庚" in duty and "138****8000" in duty and "13800138000" not in duty
    assert (
        _login(client, world.outsider)
        .get(f"/prevention/duty/?officer={world.officer.pk}")
        .status_code
        == 404
    )


def test_member_search_is_scoped_and_masked(world, client: Client) -> None:
    make_member(world.branch, name="林少华", phone="13905911234")
    make_member(world.other_branch, name="林少伟")
    page = _login(client, world.secretary).get("/register/search/?q=lsh")
    html = page.content.decode()
    assert "林少华" in html and "林少伟" not in html and "139****1234" in html
    assert "13905911234" not in html
    refused = client.get("/register/search/?q=林")
    assert refused.status_code == 400 and "请至少输入两个汉字" in refused.content.decode()


def test_the_org_life_overview_across_branches(world, client: Client) -> None:
    from casework.models import Meeting

    for kind in ("branch_committee", "party_group", "branch_general", "party_lecture"):
        Meeting.objects.create(organisation=world.branch, kind=kind, held_on=TODAY)
    html = _login(client, world.coordinator).get("/prevention/org-life/").content.decode()
    assert (
        f'data-branch="{world.branch.pk}"' in html
        and f'data-branch="{world.other_branch.pk}"' in html
    )
    assert html.count('data-compliant="1"') == 1
    mine = _login(client, world.secretary).get("/prevention/org-life/").content.decode()
    assert f'data-branch="{world.other_branch.pk}"' not in mine


def test_the_ledgers_are_read_only_in_the_scoped_admin(world, client: Client) -> None:
    from casework.services.ledgers import abroad_record_create

    abroad_record_create(
        member=make_member(world.branch, name="出境辛"),
        destination="泰国",
        left_on=TODAY,
        actor=world.secretary,
    )
    for user in (world.secretary, world.outsider):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    assert (
        "出境辛"
        in _login(client, world.secretary).get("/admin/casework/abroadrecord/").content.decode()
    )
    assert (
        "出境辛"
        not in _login(client, world.outsider).get("/admin/casework/abroadrecord/").content.decode()
    )
    record = AbroadRecord.objects.get()
    change = _login(client, world.secretary).post(
        f"/admin/casework/abroadrecord/{record.pk}/change/", {"destination": "x"}
    )
    assert change.status_code == 403


def test_the_member_form_assigns_the_contact_officer(world, client: Client) -> None:
    member = make_member(world.branch, name="无联系人", gender="M")
    form = _login(client, world.secretary).get(f"/register/members/{member.pk}/edit/")
    assert 'name="contact_officer"' in form.content.decode()
    data = {
        "name": "无联系人",
        "gender": "M",
        "membership_type": "full",
        "contact_officer": world.officer.pk,
    }
    response = client.post(f"/register/members/{member.pk}/edit/", data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.contact_officer_id == world.officer.pk
    data["contact_officer"] = world.outsider.pk  # not staff of this branch
    assert client.post(f"/register/members/{member.pk}/edit/", data).status_code == 200
