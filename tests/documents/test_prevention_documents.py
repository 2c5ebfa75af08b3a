"""Prevention documents issued by real paths, read back as PDF text: the ledger handover
record (a record, unnumbered, in the branch's own name), the branch's letters to its outgoing
members (one per member, each a contact attempt) and the receipt chaser issued through the
outbox after the daily follow-up task."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from casework.errors import Conflict, DomainError, PermissionDenied
from casework.models import (
    AuditEvent,
    ContactAttempt,
    ContactChannel,
    FollowUp,
    LedgerHandover,
    Member,
    MemberLetterRound,
    OutboxMessage,
    OutboxState,
)
from casework.services.branch_contact import CardPerson, branch_card_save
from casework.services.ledgers import (
    abroad_record_create,
    ledger_handover_confirm,
    ledger_handover_start,
    ledger_keeper_assign,
    mobile_record_create,
    relation_transfer_issue,
)
from casework.tasks import transfer_follow_ups_task
from documents.models import Document, DocumentStatus
from documents.prevention import (
    handover_record_issue,
    member_letters_send,
    transfer_chasers_issue,
)
from documents.templating import MissingFact
from tests.documents import pdfcheck
from tests.factories import make_member

TODAY = timezone.localdate()


def _text(document: Document, tmp_path: Path) -> str:
    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED, document.render_error
    path = tmp_path / f"{document.pk}.pdf"
    with document.file.open("rb") as handle:
        path.write_bytes(handle.read())
    return pdfcheck.text(path)


def test_the_handover_record_carries_both_sides_ledgers_and_checks(
    world, tmp_path, django_capture_on_commit_callbacks
) -> None:
    ledger_keeper_assign(
        organisation=world.branch, keeper=world.officer, since=TODAY, actor=world.secretary
    )
    handover = ledger_handover_start(
        organisation=world.branch,
        to_user=world.secretary,
        handed_over_on=TODAY,
        items="花名册1册\n介绍信存根12份",
        ledgers=["roster", "abroad"],
        checked=["complete", "up_to_date"],
        actor=world.secretary,
    )
    ledger_handover_confirm(handover=handover, actor=world.officer)
    with django_capture_on_commit_callbacks(execute=True):
        document = handover_record_issue(handover=handover, actor=world.secretary)
    with pytest.raises(Conflict):
        handover_record_issue(handover=handover, actor=world.secretary)
    assert LedgerHandover.objects.get(pk=handover.pk).record_document_id == document.pk
    assert document.number is None and document.issuer_id == world.branch.pk  # a record
    text = _text(document, tmp_path)
    for expected in ("党员管理台账交接记录", "测试第一党支部", "党员花名册", "党员出国出境台账"):
        assert expected in text
    assert "台账齐全，无缺页" in text and "介绍信存根12份" in text
    assert world.officer.first_name in text and world.secretary.first_name in text
    assert AuditEvent.objects.filter(action="ledger.handover_record").count() == 1


def test_a_branch_writes_to_its_outgoing_members_once_a_day(
    world, tmp_path, django_capture_on_commit_callbacks
) -> None:
    mobile = make_member(world.branch, name="流动甲")
    mobile_record_create(
        member=mobile,
        certificate_no="LD-7",
        destination="广东省深圳市",
        start_on=TODAY,
        actor=world.secretary,
    )
    abroad = make_member(world.branch, name="出境乙")
    abroad_record_create(member=abroad, destination="新加坡", left_on=TODAY, actor=world.secretary)
    make_member(world.branch, name="在家丙")
    branch_card_save(
        organisation=world.branch,
        actor=world.secretary,
        people=[CardPerson(name="林书记", duty="支部书记", phone="13900000001")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        letter_round = member_letters_send(organisation=world.branch, actor=world.secretary)
    assert letter_round.letters == 2
    documents = Document.objects.filter(pk__in=letter_round.document_ids).order_by("pk")
    names = {d.pk: Member.objects.get(pk=d.member_id or 0).name for d in documents}
    assert set(names.values()) == {"流动甲", "出境乙"}
    texts = {names[d.pk]: _text(d, tmp_path) for d in documents}
    assert "流动甲同志" in texts["流动甲"] and "广东省深圳市" in texts["流动甲"]
    assert "新加坡" in texts["出境乙"] and "林书记" in texts["出境乙"]
    letters = ContactAttempt.objects.filter(channel=ContactChannel.LETTER)
    assert sorted(a.member.name for a in letters) == ["出境乙", "流动甲"]
    with pytest.raises(Conflict):
        member_letters_send(organisation=world.branch, actor=world.secretary)
    assert MemberLetterRound.objects.count() == 1
    with pytest.raises(DomainError):  # a branch without outgoing members
        member_letters_send(organisation=world.sibling_branch, actor=world.secretary)


def test_the_follow_up_task_chases_an_unreturned_receipt_with_a_letter(
    world, tmp_path, django_capture_on_commit_callbacks
) -> None:
    member = make_member(world.branch, name="转出丁")
    issued = TODAY - dt.timedelta(days=120)
    transfer = relation_transfer_issue(
        member=member,
        serial="JS-2026-045",
        issued_on=issued,
        valid_until=issued + dt.timedelta(days=80),
        to_name="中共厦门市思明区委组织部",
        actor=world.secretary,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert transfer_follow_ups_task.delay(TODAY.isoformat()).get() == 1
    assert OutboxMessage.objects.get(kind="transfer.chase").state == OutboxState.DONE
    follow_up = FollowUp.objects.get(kind="transfer.receipt", object_id=str(transfer.pk))
    assert follow_up.chased_at is not None
    document = Document.objects.get(pk=follow_up.chaser_document_id or 0)
    assert document.kind == "transfer_chaser" and document.member_id == member.pk
    text = _text(document, tmp_path)
    assert "中共厦门市思明区委组织部" in text and "JS-2026-045" in text and "转出丁" in text
    assert "退回" in text and document.issuer_id == world.branch.pk  # the sending branch
    with django_capture_on_commit_callbacks(execute=True):
        assert transfer_follow_ups_task.delay(TODAY.isoformat()).get() == 0
    assert transfer_chasers_issue(as_of=TODAY) == 0  # a rerun of the handler: nothing twice
    assert Document.objects.filter(kind="transfer_chaser").count() == 1
    assert AuditEvent.objects.filter(action="transfer.chase").count() == 1


def test_letters_need_a_contact_the_member_can_call(world) -> None:
    """Neither a contact card nor the branch's issuer profile names a contact: refused, nothing
    written (a letter never prints a blank phone number)."""
    member = make_member(world.branch, name="流动戊")
    mobile_record_create(
        member=member,
        certificate_no="LD-9",
        destination="浙江省杭州市",
        start_on=TODAY,
        actor=world.secretary,
    )
    with pytest.raises(MissingFact, match="党支部联系人"):
        member_letters_send(organisation=world.branch, actor=world.secretary)
    assert MemberLetterRound.objects.count() == 0
    assert Document.objects.count() == 0
    assert not ContactAttempt.objects.filter(channel=ContactChannel.LETTER).exists()


def test_only_the_branch_staff_issue_its_handover_record(world) -> None:
    ledger_keeper_assign(
        organisation=world.branch, keeper=world.officer, since=TODAY, actor=world.secretary
    )
    handover = ledger_handover_start(
        organisation=world.branch,
        to_user=world.secretary,
        handed_over_on=TODAY,
        items="花名册1册",
        actor=world.secretary,
    )
    with pytest.raises(PermissionDenied):
        handover_record_issue(handover=handover, actor=world.inspector)
    assert Document.objects.count() == 0
