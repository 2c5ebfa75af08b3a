"""Role × organisation × page: in scope 200 (or 302), refused 403, out of scope 404.

`branch` is a member of 测试第一党支部 with no contact officer, `assigned` the same branch
but assigned to `officer`, `other` a member of 另一党支部 under another committee.
"""

from __future__ import annotations

import pytest
from django.test import Client

from casework.models import AuditEvent, Department, Role
from casework.services.organisations import role_assign
from tests.factories import make_member, make_user

PAGES = ("list", "detail", "edit", "reveal", "export", "admin")
OK, NO, NF = 200, 403, 404

# expected status per page: (list shows the member?, detail, edit, reveal, export, admin)
EXPECTED: dict[tuple[str, str], tuple[bool, int, int, int, int, int]] = {
    ("officer", "branch"): (True, OK, OK, NO, OK, OK),
    ("officer", "assigned"): (True, OK, OK, OK, OK, OK),
    ("officer", "other"): (False, NF, NF, NF, NF, NF),
    ("secretary", "branch"): (True, OK, OK, OK, OK, OK),
    ("secretary", "assigned"): (True, OK, OK, OK, OK, OK),
    ("secretary", "other"): (False, NF, NF, NF, NF, NF),
    ("approver", "branch"): (True, OK, OK, NO, OK, OK),
    ("approver", "other"): (False, NF, NF, NF, NF, NF),
    ("coordinator", "branch"): (True, OK, OK, OK, OK, OK),
    ("coordinator", "other"): (True, OK, OK, OK, OK, OK),
    ("inspector", "branch"): (True, OK, NO, NO, OK, OK),
    ("inspector", "other"): (True, OK, NO, NO, OK, OK),
    ("admin", "branch"): (True, OK, OK, OK, OK, OK),
    ("admin", "other"): (True, OK, OK, OK, OK, OK),
    ("outsider", "branch"): (False, NF, NF, NF, NF, NF),
    ("outsider", "other"): (True, OK, OK, NO, OK, OK),
    ("liaison", "branch"): (False, NF, NF, NF, NF, NF),
    ("liaison", "other"): (False, NF, NF, NF, NF, NF),
    ("nobody", "branch"): (False, NF, NF, NF, NF, NF),
    ("nobody", "other"): (False, NF, NF, NF, NF, NF),
}
CASES = [(who, where, page) for (who, where) in EXPECTED for page in PAGES]


@pytest.fixture
def setup(world):
    department = Department.objects.create(
        organisation=world.department, kind="public_security", name="公安局"
    )
    liaison = make_user("liaison")
    role_assign(
        user=liaison, role=Role.LIAISON, organisation=world.department, department=department
    )
    members = {
        "branch": make_member(world.branch, name="本支部党员"),
        "assigned": make_member(world.branch, name="包干党员", contact_officer=world.officer),
        "other": make_member(world.other_branch, name="外党委党员"),
    }
    names = ("officer", "secretary", "approver", "coordinator", "inspector", "admin", "outsider")
    users = {name: getattr(world, name) for name in names}
    users.update(liaison=liaison, nobody=world.nobody)
    for user in users.values():
        user.is_staff = True  # the admin column: staff, but scoped like everything else
        user.save(update_fields=["is_staff"])
    return members, users


def _status(client: Client, page: str, member) -> int:
    pk = member.pk
    if page == "detail":
        return client.get(f"/register/members/{pk}/").status_code
    if page == "edit":
        return client.get(f"/register/members/{pk}/edit/").status_code
    if page == "reveal":
        return client.post(f"/register/members/{pk}/reveal/").status_code
    if page == "export":
        return client.get("/register/export/", {"org": member.organisation_id}).status_code
    return client.get(f"/admin/casework/member/{pk}/change/").status_code


@pytest.mark.parametrize(("who", "where", "page"), CASES)
def test_access_matrix(setup, client: Client, who: str, where: str, page: str) -> None:
    members, users = setup
    member = members[where]
    expected = EXPECTED[(who, where)]
    client.force_login(users[who])
    if page == "list":
        response = client.get("/register/")
        assert response.status_code == OK
        assert (member.name in response.content.decode()) is expected[0]
        return
    status = _status(client, page, member)
    assert status == expected[PAGES.index(page)]
    if page == "reveal":
        revealed = AuditEvent.objects.filter(action="member.reveal", actor=users[who]).exists()
        assert revealed is (status == OK)
        if status == OK:
            assert (
                member.id_number
                in client.post(f"/register/members/{member.pk}/reveal/").content.decode()
            )


def test_anonymous_visitors_are_sent_to_log_in(setup, client: Client) -> None:
    members, _users = setup
    for url in ("/register/", f"/register/members/{members['branch'].pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_superusers_see_every_member_in_admin(setup, client: Client, world) -> None:
    members, _users = setup
    world.nobody.is_superuser = True
    world.nobody.save(update_fields=["is_superuser"])
    client.force_login(world.nobody)
    for member in members.values():
        assert client.get(f"/admin/casework/member/{member.pk}/change/").status_code == OK


def test_admin_change_list_is_scoped(setup, client: Client, world) -> None:
    client.force_login(world.secretary)
    body = client.get("/admin/casework/member/").content.decode()
    assert "本支部党员" in body and "外党委党员" not in body
