"""The right organ: one table decides who issues, signs and receives every kind of document."""

from __future__ import annotations

import pytest

from casework.errors import DomainError
from casework.models import Case, OrgKind
from documents.kinds import DocumentKind, Layout
from documents.organs import (
    ROUTES,
    copy_to_for,
    disposing_organisation,
    organs_for_case,
)
from tests.factories import make_member, make_org

pytestmark = pytest.mark.django_db
K = DocumentKind


@pytest.fixture
def case(world) -> Case:
    world.department.issuer_name = "中共测试组织部"
    world.department.save(update_fields=["issuer_name"])
    return Case.objects.create(
        member=make_member(world.branch), organisation=world.branch, rule_set="2024"
    )


def organs(case, kind, proposal="suspend"):
    return organs_for_case(kind, case, lambda: proposal)


def test_every_kind_has_a_route():
    assert set(ROUTES) == set(DocumentKind)


@pytest.mark.parametrize(
    "kind",
    [
        K.REGISTER_FORM,
        K.TALK_RECORD,
        K.APPROVAL_FORM,
        K.DEFENCE_NOTICE,
        K.MEETING_RESOLUTION,
        K.CORRECTION_REVIEW,
        K.RESTORATION_FORM,
        K.MEMBER_LETTER,
        K.DOSSIER,
    ],
)
def test_branch_documents_are_in_the_branchs_name_without_a_red_header(world, case, kind):
    found = organs(case, kind)
    assert found.issuer == world.branch
    facts = found.facts(kind, copy_to=[])
    assert facts["header"] == "" and facts["format"] == Layout.PLAIN
    assert facts["signature"] == "测试第一党支部"


@pytest.mark.parametrize("kind", [K.REQUEST, K.FILING_REPORT])
def test_the_request_goes_up_from_the_branch_to_the_committee_with_authority(world, case, kind):
    found = organs(case, kind)
    assert found.issuer == world.branch
    assert found.addressee == world.committee  # not the general branch in between
    facts = found.facts(kind, copy_to=[])
    assert facts["addressee"] == "中共测试党委" and facts["signature"] == "测试第一党支部"
    assert facts["header"] == ""  # the branch has no 发文机关标志: no committee header


@pytest.mark.parametrize(
    "kind",
    [
        K.REPLY,
        K.DECISION_SUSPENSION,
        K.DECISION_REMOVAL,
        K.DECISION_CORRECTION,
        K.DECISION_PERSUASION,
        K.DECISION_ANNUL_PROBATION,
        K.DECISION_REMOVAL_AFTER_PERSUASION,
    ],
)
def test_replies_and_decisions_come_from_the_approving_committee_to_the_branch(world, case, kind):
    found = organs(case, kind, proposal="remove")
    assert found.issuer == world.committee and found.addressee == world.branch
    facts = found.facts(kind, copy_to=copy_to_for(kind, case, found.issuer))
    assert facts["header"] == "中共测试党委" == facts["signature"]
    assert facts["format"] == Layout.FILE
    assert facts["we"] == "我委" and facts["you"] == "你支部"
    assert facts["copy_to"] == ["中共测试组织部"]


def test_a_general_branch_never_decides_even_when_marked_approving(world, case):
    world.general_branch.may_approve = True
    world.general_branch.doc_code = "测总支"
    world.general_branch.save(update_fields=["may_approve", "doc_code"])
    case.organisation.refresh_from_db()
    assert world.general_branch.kind == OrgKind.GENERAL_BRANCH
    assert disposing_organisation(case, "remove") == world.committee
    assert organs(case, K.DECISION_REMOVAL).issuer == world.committee


def test_restoration_is_decided_by_the_organisation_department_and_copied_to_the_committee(
    world, case
):
    found = organs(case, K.DECISION_RESTORATION, proposal="restore")
    assert found.issuer == world.department and found.addressee == world.branch
    assert copy_to_for(K.DECISION_RESTORATION, case, found.issuer) == ["中共测试党委"]


@pytest.mark.parametrize("kind", [K.INQUIRY_LETTER, K.REMINDER_LETTER, K.PRE_REVIEW_OPINION])
def test_the_organisation_department_writes_as_itself(world, case, kind):
    found = organs(case, kind, proposal="remove")
    assert found.issuer == world.department
    facts = found.facts(kind, copy_to=[])
    assert facts["we"] == "我部" and facts["format"] == Layout.LETTER
    assert facts["header"] == "中共测试组织部" == facts["signature"]


def test_the_pre_review_opinion_goes_to_the_approving_committee(world, case):
    assert organs(case, K.PRE_REVIEW_OPINION, proposal="remove").addressee == world.committee


@pytest.mark.parametrize("kind", [K.APPEAL_ACKNOWLEDGEMENT, K.APPEAL_REPLY])
def test_an_appeal_goes_to_the_organ_above_the_one_that_decided(world, case, kind):
    assert organs(case, kind, proposal="remove").issuer == world.department


def test_a_branch_with_a_configured_mark_prints_its_own_header(world, case):
    world.branch.issuer_name = "中共测试第一支部委员会"
    world.branch.save(update_fields=["issuer_name"])
    facts = organs(case, K.REQUEST).facts(K.REQUEST, copy_to=[])
    assert facts["header"] == "中共测试第一支部委员会" == facts["signature"]
    assert facts["format"] == Layout.FILE


def test_a_tree_without_an_approving_committee_refuses_clearly(world):
    committee = make_org("无审批权党委", OrgKind.COMMITTEE)
    branch = make_org("孤立支部", OrgKind.BRANCH, committee)
    case = Case.objects.create(member=make_member(branch), organisation=branch, rule_set="2024")
    with pytest.raises(DomainError) as refused:
        organs(case, K.DECISION_REMOVAL)
    assert refused.value.code == "no_approving_org"
