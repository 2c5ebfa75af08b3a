"""Prevention documents issued on the demo stage through the services a branch secretary's
screens call, for `render_samples` and the documents' tests (workflows.case.samples is the
stage): a ledger handover — keeper named, ledgers handed over and checked, both sides
confirm, the handover record issued — and the branch's letters to its outgoing members (a
mobile member whose certificate was issued with a pre-departure talk, a member abroad).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from casework.models import (
    HandoverCheck,
    LedgerKind,
    Member,
    MemberLetterRound,
    Role,
    RoleAssignment,
)
from casework.services.branch_contact import CardPerson, branch_card_save
from casework.services.cases import organisation_department
from casework.services.ledgers import (
    TalkData,
    abroad_record_create,
    ledger_handover_confirm,
    ledger_handover_start,
    ledger_keeper_assign,
    mobile_record_create,
)
from casework.services.members import member_create
from documents.models import Document
from documents.prevention import handover_record_issue, member_letters_send
from workflows.case.samples import PEOPLE, Stage, demo_id_number, flush_on_commit


@dataclass(frozen=True)
class PreventionDocuments:
    handover_record: Document
    letters: MemberLetterRound


def _holder(
    stage: Stage, role: str, *, exclude: AbstractBaseUser | None = None
) -> AbstractBaseUser:
    assignments = RoleAssignment.objects.filter(
        organisation=stage.branch, role=role, is_active=True
    ).select_related("user")
    if exclude is not None:
        assignments = assignments.exclude(user_id=exclude.pk)
    return assignments.order_by("id")[0].user


def _coordinator(stage: Stage) -> AbstractBaseUser:
    department = organisation_department(stage.branch)
    return (
        RoleAssignment.objects.filter(
            organisation=department, role=Role.COORDINATOR, is_active=True
        )
        .select_related("user")
        .order_by("id")[0]
        .user
    )


def handover(stage: Stage) -> Document:
    """The committee member who kept the ledgers hands them to the secretary, the county
    coordinator witnessing; both sign; the secretary issues the record."""
    secretary = _holder(stage, Role.BRANCH_SECRETARY)
    keeper = _holder(stage, Role.CONTACT_OFFICER, exclude=secretary)
    ledger_keeper_assign(
        organisation=stage.branch,
        keeper=keeper,
        since=stage.today - dt.timedelta(days=400),
        actor=secretary,
    )
    started = ledger_handover_start(
        organisation=stage.branch,
        to_user=secretary,
        handed_over_on=stage.today,
        items="党员花名册1册（含电子版）\n组织关系介绍信存根12份，回执10份\n"
        "未办结事项：回执2份待退回，已逐项登记",
        ledgers=[LedgerKind.ROSTER, LedgerKind.TRANSFERS, LedgerKind.ABROAD, LedgerKind.MOBILE],
        checked=[HandoverCheck.COMPLETE, HandoverCheck.UP_TO_DATE, HandoverCheck.OUTSTANDING],
        witness=_coordinator(stage),
        actor=secretary,
    )
    ledger_handover_confirm(handover=started, actor=keeper)
    ledger_handover_confirm(handover=started, actor=secretary)
    record = handover_record_issue(handover=started, actor=secretary)
    flush_on_commit()
    return record


def _member(stage: Stage, index: int) -> Member:
    name, gender, birth, ethnicity, joined, employer, occupation = PEOPLE[index % len(PEOPLE)]
    stage.serial += 1
    return member_create(
        organisation=stage.branch,
        name=name,
        gender=gender,
        id_number=demo_id_number(birth, stage.serial + 60, gender),
        birth_date=birth,
        ethnicity=ethnicity,
        join_date=joined,
        employer=employer,
        occupation=occupation,
        last_contact_date=stage.today - dt.timedelta(days=20),
        phone="13800138000",
        source="demo",
    )


def outgoing_letters(stage: Stage) -> MemberLetterRound:
    """A member leaving to work in Shenzhen for a year (certificate with the pre-departure
    talk), a member gone abroad, the branch's contact card; the secretary sends the letters."""
    secretary = _holder(stage, Role.BRANCH_SECRETARY)
    mobile = _member(stage, 0)
    mobile_record_create(
        member=mobile,
        certificate_no="榕流证〔2026〕0012",
        destination="广东省深圳市南山区",
        start_on=stage.today,
        expected_months=12,
        valid_until=stage.today + dt.timedelta(days=365),
        talk=TalkData(
            talked_on=stage.today,
            talker=secretary,
            content="外出期间每半年向党支部报告一次思想、工作情况；就近参加流入地党组织活动。",
        ),
        actor=secretary,
    )
    abroad = _member(stage, 3)
    abroad_record_create(
        member=abroad,
        destination="新加坡",
        purpose="探亲",
        left_on=stage.today - dt.timedelta(days=10),
        expected_return_on=stage.today + dt.timedelta(days=80),
        actor=secretary,
    )
    branch_card_save(
        organisation=stage.branch,
        actor=secretary,
        people=[CardPerson(name="林晓东", duty="支部书记", phone="13905910001")],
        landline="0591-87654321",
        channel_name="福州党员e家",
    )
    letters = member_letters_send(organisation=stage.branch, actor=secretary, sent_on=stage.today)
    flush_on_commit()
    return letters


def prevention_documents(stage: Stage) -> PreventionDocuments:
    """Every prevention document a branch issues, on the stage's branch."""
    return PreventionDocuments(handover_record=handover(stage), letters=outgoing_letters(stage))


__all__ = ["PreventionDocuments", "handover", "outgoing_letters", "prevention_documents"]
