import datetime as dt

import pytest

from casework.errors import Conflict, InvalidData, NotFound, PermissionDenied
from casework.models import AuditEvent, Member, MemberChange, Relative
from casework.services.members import (
    member_reveal,
    member_update,
    relative_add,
    relative_remove,
    relative_update,
)
from tests.factories import make_member, valid_id_number


def test_an_update_is_saved_with_masked_history_and_one_audit_event(world) -> None:
    member = make_member(world.branch, phone="13800138000")
    member_update(
        member=member,
        actor=world.officer,
        changes={"phone": "139 0000 1234", "occupation": "教师"},
    )
    member.refresh_from_db()
    assert member.phone == "13900001234"
    assert member.occupation == "教师"
    change = MemberChange.objects.get(member=member)
    assert change.actor == world.officer
    assert change.changes["phone"] == ["138****8000", "139****1234"]
    assert change.changes["occupation"] == ["", "教师"]
    event = AuditEvent.objects.get(action="member.update")
    assert event.after == {"phone": "139****1234", "occupation": "教师"}
    assert "13900001234" not in str(event.before) + str(event.after)


def test_an_update_that_changes_nothing_writes_nothing(world) -> None:
    member = make_member(world.branch, phone="13800138000", occupation="教师")
    member_update(member=member, actor=world.officer, changes={"occupation": "教师"})
    assert not MemberChange.objects.exists()
    assert not AuditEvent.objects.filter(action="member.update").exists()


def test_invalid_values_are_refused_with_chinese_messages_per_field(world) -> None:
    member = make_member(world.branch)
    with pytest.raises(InvalidData) as info:
        member_update(
            member=member,
            actor=world.officer,
            changes={"phone": "12345", "id_number": "350102198506151234", "name": ""},
        )
    assert "电话号码格式不正确" in info.value.errors["phone"]
    assert (
        "校验码" in info.value.errors["id_number"] or "出生日期" in info.value.errors["id_number"]
    )
    assert "姓名不能为空" in info.value.errors["name"]
    assert not MemberChange.objects.exists()


def test_a_gender_that_contradicts_the_id_number_is_a_warning_not_a_refusal(world) -> None:
    member = make_member(world.branch, id_number=valid_id_number(gender="M"), gender="M")
    updated = member_update(member=member, actor=world.officer, changes={"gender": "F"})
    assert Member.objects.get(pk=member.pk).gender == "F"
    assert any("性别" in w for w in updated.warnings)  # type: ignore[attr-defined]


def test_landline_numbers_are_accepted(world) -> None:
    member = make_member(world.branch)
    member_update(member=member, actor=world.secretary, changes={"phone_alt": "0591-87654321"})
    assert Member.objects.get(pk=member.pk).phone_alt == "0591-87654321"


def test_a_changed_id_number_moves_the_blind_index_and_refuses_duplicates(world) -> None:
    first = make_member(world.branch)
    other = make_member(world.other_branch)
    new_number = valid_id_number(dt.date(1990, 1, 2))
    member_update(member=first, actor=world.officer, changes={"id_number": new_number})
    assert Member.objects.get(pk=first.pk).id_number == new_number
    with pytest.raises(Conflict):
        member_update(member=first, actor=world.officer, changes={"id_number": other.id_number})


def test_an_inspector_may_not_edit_and_an_outsider_gets_not_found(world) -> None:
    member = make_member(world.branch)
    with pytest.raises(PermissionDenied):
        member_update(member=member, actor=world.inspector, changes={"occupation": "x"})
    with pytest.raises(NotFound):
        member_update(member=member, actor=world.outsider, changes={"occupation": "x"})
    with pytest.raises(NotFound):
        member_update(member=member, actor=world.nobody, changes={"occupation": "x"})


def test_relatives_are_added_updated_and_removed_with_history(world) -> None:
    member = make_member(world.branch)
    relative = relative_add(
        member=member,
        actor=world.officer,
        data={
            "name": "李四",
            "relation": "配偶",
            "phone": "13700137000",
            "address": "福州市台江区",
        },
    )
    relative_update(relative=relative, actor=world.officer, data={"phone": "13700137001"})
    assert Relative.objects.get(pk=relative.pk).phone == "13700137001"
    relative_remove(relative=relative, actor=world.officer)
    assert not Relative.objects.filter(pk=relative.pk).exists()
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["relative.add", "relative.update", "relative.remove"]
    assert MemberChange.objects.filter(member=member).count() == 3
    text = str(list(MemberChange.objects.values_list("changes", flat=True)))
    assert "13700137001" not in text and "137****7001" in text


def test_a_relative_with_a_bad_phone_is_refused(world) -> None:
    member = make_member(world.branch)
    with pytest.raises(InvalidData):
        relative_add(
            member=member,
            actor=world.officer,
            data={"name": "李四", "relation": "父亲", "phone": "1"},
        )


@pytest.mark.parametrize("who", ["secretary", "coordinator", "admin"])
def test_secretary_coordinator_and_administrator_may_reveal(world, who: str) -> None:
    member = make_member(world.branch, phone="13800138000")
    revealed = member_reveal(
        member=member, actor=getattr(world, who), fields=["id_number", "phone"]
    )
    assert revealed == {"id_number": member.id_number, "phone": "13800138000"}
    event = AuditEvent.objects.get(action="member.reveal")
    assert event.after == {"fields": ["id_number", "phone"]}
    assert member.id_number not in str(event.after)


def test_only_the_assigned_contact_officer_may_reveal(world) -> None:
    mine = make_member(world.branch, contact_officer=world.officer)
    theirs = make_member(world.branch)
    assert member_reveal(member=mine, actor=world.officer, fields=["phone"])["phone"]
    with pytest.raises(PermissionDenied):
        member_reveal(member=theirs, actor=world.officer, fields=["phone"])


@pytest.mark.parametrize("who", ["inspector", "approver"])
def test_inspectors_and_approvers_may_not_reveal(world, who: str) -> None:
    member = make_member(world.branch)
    with pytest.raises(PermissionDenied):
        member_reveal(member=member, actor=getattr(world, who), fields=["phone"])
    assert not AuditEvent.objects.filter(action="member.reveal").exists()


@pytest.mark.parametrize("who", ["outsider", "nobody"])
def test_people_outside_the_scope_get_not_found_on_reveal(world, who: str) -> None:
    member = make_member(world.branch)
    with pytest.raises(NotFound):
        member_reveal(member=member, actor=getattr(world, who), fields=["phone"])


def test_revealing_relatives_returns_their_contacts(world) -> None:
    member = make_member(world.branch)
    relative_add(
        member=member,
        actor=world.secretary,
        data={
            "name": "李四",
            "relation": "配偶",
            "phone": "13700137000",
            "address": "福州市台江区",
        },
    )
    revealed = member_reveal(member=member, actor=world.secretary, fields=["relatives"])
    assert revealed["relatives"][0]["phone"] == "13700137000"
