"""Finding members by blind index (measure 1): name, pinyin, initials, ID tail, phone; scoped;
the register is never decrypted to search; the index follows create, update and import."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from casework import crypto
from casework.errors import DomainError
from casework.member_import import import_members
from casework.models import MemberSearchKey, SearchKeyKind
from casework.search_keys import member_keys, name_tokens
from casework.selectors.search import member_search_for_user
from casework.services.members import member_update
from tests.factories import make_member, valid_id_number


def _names(user, query: str) -> list[str]:
    return [m.name for m in member_search_for_user(user=user, query=query)]


@pytest.fixture
def people(world):
    lin = make_member(
        world.branch, name="林少华", id_number="350102198506150116", phone="13905911234"
    )
    make_member(world.branch, name="林小梅", phone="13800000001")
    shan = make_member(world.sibling_branch, name="单雄信", phone="13800000002")
    away = make_member(world.other_branch, name="林少华", phone="13800000003")
    return {"lin": lin, "shan": shan, "away": away}


def test_name_pinyin_and_initials_find_the_member(world, people) -> None:
    assert _names(world.secretary, "林少华") == ["林少华"]
    assert _names(world.secretary, "少华") == ["林少华"]
    assert _names(world.secretary, "linshaohua") == ["林少华"]
    assert _names(world.secretary, "LSH") == ["林少华"]
    assert _names(world.secretary, "shaohua") == ["林少华"]


def test_the_surname_s_other_readings_are_keys_too(world, people) -> None:
    # 单 is read shan as a surname; the default reading is dan
    assert _names(world.coordinator, "shanxiongxin") == ["单雄信"]
    assert _names(world.coordinator, "danxiongxin") == ["单雄信"]
    assert _names(world.coordinator, "sxx") == ["单雄信"]


def test_the_last_four_to_six_id_characters_and_the_phone_find_the_member(world, people) -> None:
    assert _names(world.secretary, "0116") == ["林少华"]
    assert _names(world.secretary, "50116") == ["林少华"]
    assert _names(world.secretary, "150116") == ["林少华"]
    assert _names(world.secretary, "139 0591 1234") == ["林少华"]
    assert _names(world.secretary, "350102198506150116") == ["林少华"]


def test_search_stays_inside_the_user_s_subtree(world, people) -> None:
    assert _names(world.secretary, "林少华") == ["林少华"]  # not the other branch's 林少华
    assert len(_names(world.coordinator, "林少华")) == 2
    assert _names(world.outsider, "林少华") == ["林少华"]
    assert member_search_for_user(user=world.outsider, query="林少华")[0].pk == people["away"].pk
    assert _names(world.nobody, "林少华") == []


def test_unsearchable_queries_are_refused_with_a_message(world, people) -> None:
    for query in ("林", "l", "123", "林sh", "  "):
        with pytest.raises(DomainError) as refused:
            member_search_for_user(user=world.secretary, query=query)
        assert refused.value.message


def test_searching_never_decrypts_the_register(world, people, monkeypatch) -> None:
    def refuse(token: str) -> str:
        raise AssertionError("decrypted while searching")

    monkeypatch.setattr(crypto, "decrypt", refuse)
    for query in ("lsh", "林少华", "0116", "13905911234"):
        found = member_search_for_user(user=world.secretary, query=query)
        assert list(found.values_list("pk", flat=True)) == [people["lin"].pk]


def test_keys_are_keyed_hashes_not_plaintext(world, people) -> None:
    keys = set(MemberSearchKey.objects.filter(member=people["lin"]).values_list("kind", "key"))
    assert keys == member_keys(
        name="林少华",
        id_number="350102198506150116",
        phones=["13905911234"],
        birth_date=people["lin"].birth_date,
    )
    assert all(isinstance(key, int) for _kind, key in keys)
    assert {kind for kind, _key in keys} == {
        SearchKeyKind.NAME,
        SearchKeyKind.PINYIN,
        SearchKeyKind.INITIALS,
        SearchKeyKind.ID_SUFFIX,
        SearchKeyKind.PHONE,
        SearchKeyKind.NAME_BIRTH,
    }
    assert name_tokens("林少华")[SearchKeyKind.INITIALS] == {"ls", "sh", "lsh"}


def test_an_update_of_the_name_or_phone_moves_the_keys(world, people) -> None:
    member_update(
        member=people["lin"],
        actor=world.secretary,
        changes={"name": "林少伟", "phone": "13700000000"},
    )
    assert _names(world.secretary, "林少华") == []
    assert _names(world.secretary, "林少伟") == ["林少伟"]
    assert _names(world.secretary, "13700000000") == ["林少伟"]
    assert _names(world.secretary, "13905911234") == []


def test_imported_members_are_searchable(world, tmp_path: Path) -> None:
    number = valid_id_number()
    path = tmp_path / "roster.csv"
    path.write_text(f"姓名,公民身份号码,联系电话\n郑秀霞,{number},13912340000\n", encoding="utf-8")
    report = import_members(path=path, organisation=world.branch, actor=world.secretary)
    assert report.created == 1
    assert _names(world.secretary, "zxx") == ["郑秀霞"]
    assert _names(world.secretary, number[-4:]) == ["郑秀霞"]


def test_the_backfill_command_rebuilds_the_index(world, people) -> None:
    MemberSearchKey.objects.all().delete()
    assert _names(world.coordinator, "lsh") == []
    out = io.StringIO()
    call_command("build_search_index", "--chunk-size", "2", stdout=out, stderr=io.StringIO())
    assert "4 members indexed" in out.getvalue()
    assert len(_names(world.coordinator, "lsh")) == 2
    call_command("build_search_index", stdout=io.StringIO(), stderr=io.StringIO())
    assert MemberSearchKey.objects.filter(member=people["lin"]).count() == len(
        member_keys(
            name="林少华",
            id_number="350102198506150116",
            phones=["13905911234"],
            birth_date=people["lin"].birth_date,
        )
    )
