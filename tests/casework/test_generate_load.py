"""generate_load: realistic, valid, consistent bulk data on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Min, Q

from casework import crypto
from casework.devdata.load import (
    LoadRefused,
    MemberChunk,
    case_assignments,
    generate_load,
    id_number_for,
    member_chunk,
)
from casework.models import (
    CLOSED_STATUSES,
    Case,
    CaseStatus,
    ContactAttempt,
    Decision,
    Inquiry,
    Member,
    Organisation,
    OrgKind,
    RoleAssignment,
    TalkRecord,
)
from casework.services.members import id_number_index
from casework.validation import validate_id_number
from tests.factories import make_member

TODAY = dt.date(2026, 11, 26)
pytestmark = pytest.mark.django_db


@pytest.fixture
def load() -> object:
    return generate_load(members=600, cases=80, branches=120, seed=3, today=TODAY, workers=2)


def test_it_writes_members_with_valid_id_numbers_and_decryptable_personal_data(load):
    members = list(Member.objects.all())
    assert len(members) == 600
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, residence FROM casework_member")
        stored = cursor.fetchall()
    assert all(not row[0].startswith("3") and "市" not in row[2] for row in stored)  # ciphertext
    for member in members:
        assert validate_id_number(member.id_number, today=TODAY) == member.id_number
        assert member.id_number_index == id_number_index(member.id_number)
        assert member.gender == ("M" if int(member.id_number[16]) % 2 else "F")
        assert member.birth_date and f"{member.birth_date:%Y%m%d}" == member.id_number[6:14]
        assert member.phone.isdigit() and len(member.phone) == 11
        assert "号" in member.residence
        assert member.organisation.kind == OrgKind.BRANCH
        assert member.contact_officer is not None
        signals = [member.last_org_life_date, member.dues_paid_until, member.last_contact_date]
        assert member.last_contact_date == max(day for day in signals if day)
    assert len({m.id_number for m in members}) == 600


def test_it_builds_a_tree_whose_paths_match_the_parents(load):
    orgs = {org.pk: org for org in Organisation.objects.all()}
    kinds = Counter(org.kind for org in orgs.values())
    assert kinds[OrgKind.DEPARTMENT] == 1 and kinds[OrgKind.COMMITTEE] == 2
    assert kinds[OrgKind.GENERAL_BRANCH] >= 2 and kinds[OrgKind.BRANCH] == 120
    for org in orgs.values():
        parent = orgs.get(org.parent_id) if org.parent_id else None
        assert org.path == f"{parent.path if parent else '/'}{org.pk}/"
        assert org.depth == (parent.depth + 1 if parent else 0)
    assert not [o for o in orgs.values() if o.parent_id and orgs[o.parent_id].kind == "branch"]
    officers = RoleAssignment.objects.filter(role="contact_officer")
    assert officers.count() == 120
    assert not Member.objects.exclude(
        contact_officer__role_assignments__organisation=F("organisation")
    ).exists()


def test_it_opens_at_most_one_case_per_member_and_uses_every_case_status(load):
    assert Case.objects.count() == 80
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    open_per_member = (
        Case.objects.exclude(status__in=CLOSED_STATUSES)
        .values("member")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not open_per_member.exists()
    assert not Case.objects.exclude(organisation=F("member__organisation")).exists()
    assert not Case.objects.filter(closed_at__isnull=True, status__in=CLOSED_STATUSES).exists()
    assert not Case.objects.filter(
        Q(closed_at__isnull=False) & ~Q(status__in=CLOSED_STATUSES)
    ).exists()
    assert ContactAttempt.objects.filter(case__isnull=False).exists()
    answered = Inquiry.objects.filter(status="answered").exclude(answer_details="")
    assert answered.exists()
    assert "address" in answered[0].answer_details  # decrypts


def test_cases_carry_the_timeline_and_the_rows_of_the_steps_they_passed(load):
    for case in Case.objects.all():
        steps = list(case.timeline.values_list("to_status", flat=True))
        assert steps[0] == "registered" and steps[-1] == case.status
        assert case.timeline.filter(at__lt=case.opened_at).count() == 0
    past_pre_review = Case.objects.filter(
        status__in=["pre_review", "defence", "meeting", "approval", "in_force"]
    )
    assert all(case.current_proposal is not None for case in past_pre_review)
    assert Decision.objects.count() == Case.objects.filter(timeline__to_status="in_force").count()
    assert set(Case.objects.filter(status="in_force").values_list("clock_kind", flat=True)) == {
        "correction"
    }
    talk = TalkRecord.objects.first()
    assert talk is not None and talk.content and talk.talker1_id != talk.case.member_id
    assert not Inquiry.objects.filter(case__status__in=["registered", "outreach"]).exists()


def test_it_spreads_signals_so_some_members_are_lost_and_some_at_risk(load):
    lost = Member.objects.filter(last_contact_date__lt=TODAY - dt.timedelta(days=183)).count()
    at_risk = Member.objects.filter(
        last_contact_date__lt=TODAY - dt.timedelta(days=92),
        last_contact_date__gte=TODAY - dt.timedelta(days=183),
    ).count()
    oldest = Member.objects.aggregate(oldest=Min("last_contact_date"))["oldest"]
    assert 10 < lost < 120 and 10 < at_risk < 150
    assert oldest >= TODAY - dt.timedelta(days=731)
    assert ContactAttempt.objects.filter(case__isnull=True).exists()


def test_it_refuses_a_database_that_already_has_members_unless_appending(world):
    make_member(world.branch)
    with pytest.raises(LoadRefused):
        generate_load(members=10, cases=0, today=TODAY, workers=1)
    report = generate_load(members=30, cases=13, today=TODAY, workers=1, append=True)
    assert report.rows["members"] == 30
    assert Member.objects.count() == 31
    # sequences moved past the generated ids: ordinary writes still work
    make_member(world.branch)
    assert Member.objects.count() == 32


def test_the_command_reports_what_it_wrote_and_refuses_a_second_run():
    out = StringIO()
    call_command("generate_load", "--members", "50", "--cases", "13", "--workers", "1", stdout=out)
    assert "members 50" in out.getvalue() and "cases 13" in out.getvalue()
    with pytest.raises(CommandError, match="--append"):
        call_command("generate_load", "--members", "5", stdout=StringIO())


def test_member_data_is_the_same_for_a_seed():
    spec = MemberChunk(
        seed=9,
        number=4,
        start=0,
        count=50,
        first_id=100,
        today=TODAY,
        bounds=[25, 50],
        branch_ids=[1, 2],
        officer_ids=[7, 8],
        postgres=False,
    )

    def plain(rows):
        encrypted = (6, 10, 11, 12)  # id_number, phone, phone_alt, residence
        return [
            tuple(crypto.decrypt(v) if i in encrypted and v else v for i, v in enumerate(r))
            for r in rows
        ]

    first, second = member_chunk(spec), member_chunk(spec)
    assert plain(first.members) == plain(second.members)
    assert first.lost == second.lost and first.attempts == second.attempts


def test_case_assignments_never_give_a_member_two_open_cases():
    import random

    assignments = case_assignments(
        rng=random.Random(1), cases=500, members=600, lost=[1, 2, 3], at_risk=[4, 5]
    )
    open_members = [m for m, status in assignments if status not in CLOSED_STATUSES]
    assert len(open_members) == len(set(open_members))
    assert {status for _, status in assignments} == set(CaseStatus.values)
    assert set(open_members[:3]) == {1, 2, 3}  # lost members first
    assert set(open_members[3:5]) == {4, 5}  # then those at risk


def test_id_numbers_are_unique_and_valid_for_consecutive_ids():
    numbers = [id_number_for(n) for n in range(1, 20_001)]
    assert len(set(numbers)) == len(numbers)
    for number in numbers[:500]:
        validate_id_number(number, today=TODAY)
