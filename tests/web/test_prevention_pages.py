import datetime as dt

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from casework.models import (
    AuditEvent,
    ContactAttempt,
    DuesPayment,
    KeyGroup,
    Meeting,
    Member,
)
from casework.services.ledgers import relation_transfer_issue
from tests.factories import make_member

LONG_AGO = dt.date(2020, 1, 1)


def _ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def test_the_at_risk_list_shows_the_subtree_sorted_with_constant_queries(
    client, world, django_assert_max_num_queries
) -> None:
    client.force_login(world.approver)
    for days in (100, 400, 200):
        make_member(world.branch, name=f"预警{days}", last_contact_date=_ago(days))
    make_member(world.branch, name="刚联系过", last_contact_date=_ago(5))
    make_member(world.other_branch, name="他委党员", last_contact_date=LONG_AGO)
    with django_assert_max_num_queries(12):
        response = client.get("/prevention/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("预警400") < body.index("预警200") < body.index("预警100")
    assert "刚联系过" not in body and "他委党员" not in body
    for days in range(20):
        make_member(world.sibling_branch, name=f"多{days}", last_contact_date=_ago(120 + days))
    with django_assert_max_num_queries(12):
        response = client.get("/prevention/?order=shortest")
    body = response.content.decode()
    assert body.index("预警100") < body.index("预警400")


def test_the_at_risk_list_filters_by_key_group(client, world) -> None:
    client.force_login(world.officer)
    make_member(
        world.branch, name="张务工甲", key_groups=KeyGroup.MIGRANT, last_contact_date=LONG_AGO
    )
    make_member(
        world.branch, name="李学乙", key_groups=KeyGroup.GRADUATE, last_contact_date=LONG_AGO
    )
    body = client.get(f"/prevention/?group={KeyGroup.MIGRANT.value}").content.decode()
    assert "张务工甲" in body and "李学乙" not in body


def test_two_clicks_record_a_contact_from_the_member_panel(client, world) -> None:
    member = make_member(world.branch, last_contact_date=LONG_AGO)
    client.force_login(world.officer)
    request = RequestFactory().get("/register/members/1/")
    request.user = world.officer
    panel = render_to_string("web/signals/member_panel.html", {"member": member}, request=request)
    assert f"/prevention/members/{member.pk}/contact/" in panel and 'value="phone:reached"' in panel
    response = client.post(
        f"/prevention/members/{member.pk}/contact/", {"quick": "phone:reached", "next": "/home/"}
    )
    assert response.status_code == 302 and response["Location"] == "/home/"
    attempt = ContactAttempt.objects.get()
    assert (attempt.channel, attempt.outcome, attempt.recorded_by) == (
        "phone",
        "reached",
        world.officer,
    )
    assert Member.objects.get(pk=member.pk).last_contact_date == timezone.localdate()
    assert AuditEvent.objects.filter(action="contact.record").count() == 1


def test_contact_for_an_out_of_scope_member_is_404_and_inspectors_get_403(client, world) -> None:
    outside = make_member(world.other_branch)
    inside = make_member(world.branch)
    client.force_login(world.officer)
    assert (
        client.post(
            f"/prevention/members/{outside.pk}/contact/", {"quick": "phone:reached"}
        ).status_code
        == 404
    )
    client.force_login(world.inspector)
    assert (
        client.post(
            f"/prevention/members/{inside.pk}/contact/", {"quick": "phone:reached"}
        ).status_code
        == 403
    )
    assert client.get("/prevention/").status_code == 200
    assert ContactAttempt.objects.count() == 0


def test_a_meeting_is_recorded_with_attendance(client, world) -> None:
    a = make_member(world.branch, name="甲")
    b = make_member(world.branch, name="乙")
    client.force_login(world.secretary)
    url = f"/prevention/organisations/{world.branch.pk}/meetings/new/"
    assert "甲" in client.get(url).content.decode()
    held = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        url,
        {
            "kind": "branch_general",
            "held_on": held.isoformat(),
            "topic": "学习",
            f"member_{a.pk}": "present",
            f"member_{b.pk}": "excused",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert dict(meeting.attendance.values_list("member_id", "status")) == {
        a.pk: "present",
        b.pk: "excused",
    }
    assert Member.objects.get(pk=a.pk).last_org_life_date == held
    assert "学习" in client.get("/prevention/meetings/").content.decode()


def test_meeting_pages_refuse_other_organisations_and_bad_dates(client, world) -> None:
    client.force_login(world.secretary)
    assert (
        client.get(f"/prevention/organisations/{world.other_branch.pk}/meetings/new/").status_code
        == 404
    )
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        f"/prevention/organisations/{world.branch.pk}/meetings/new/",
        {"kind": "theme_day", "held_on": future},
    )
    assert response.status_code == 400
    assert "不能晚于今天" in response.content.decode()
    client.force_login(world.inspector)
    response = client.post(
        f"/prevention/organisations/{world.branch.pk}/meetings/new/",
        {"kind": "theme_day", "held_on": "2025-01-01"},
    )
    assert response.status_code == 403
    assert Meeting.objects.count() == 0


def test_dues_are_entered_from_the_dues_page(client, world) -> None:
    member = make_member(world.branch, join_date=dt.date(2010, 1, 1))
    client.force_login(world.officer)
    url = f"/prevention/members/{member.pk}/dues/"
    assert client.get(url).status_code == 200
    today = timezone.localdate().isoformat()
    response = client.post(url, {"paid_until": today, "amount": "30.00", "paid_on": today})
    assert response.status_code == 302
    assert DuesPayment.objects.get().amount == 30
    response = client.post(url, {"paid_until": "2001-01-01", "amount": "30.00", "paid_on": today})
    assert response.status_code == 400
    assert (
        client.get(f"/prevention/members/{make_member(world.other_branch).pk}/dues/").status_code
        == 404
    )


def test_the_transfer_list_flags_overdue_receipts_and_records_them(client, world) -> None:
    member = make_member(world.branch)
    overdue = relation_transfer_issue(
        member=member,
        serial="转2025-1",
        issued_on=dt.date(2025, 1, 1),
        valid_until=dt.date(2025, 3, 1),
        to_name="某社区党委",
        actor=world.officer,
    )
    other = relation_transfer_issue(
        member=make_member(world.other_branch),
        serial="转2025-2",
        issued_on=dt.date(2025, 1, 1),
        valid_until=dt.date(2025, 3, 1),
        to_name="某社区党委",
        actor=None,
    )
    client.force_login(world.officer)
    body = client.get("/prevention/transfers/?overdue=1").content.decode()
    assert "转2025-1" in body and "逾期未退回" in body and "转2025-2" not in body
    assert (
        client.post(
            f"/prevention/transfers/{other.pk}/receipt/", {"returned_on": "2025-03-05"}
        ).status_code
        == 404
    )
    response = client.post(
        f"/prevention/transfers/{overdue.pk}/receipt/", {"returned_on": "2025-03-05"}
    )
    assert response.status_code == 302
    overdue.refresh_from_db()
    assert overdue.receipt_returned_on == dt.date(2025, 3, 5)
