"""Issuing: gap-free numbers per issuer code + kind + year, voiding and corrections."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from casework.errors import Conflict, DomainError, PermissionDenied
from casework.models import AuditEvent
from documents.models import Document, DocumentStatus
from documents.services import document_issue, document_void


def issue(world, kind="inquiry_letter", **kw):
    kw.setdefault("issued_on", dt.date(2026, 11, 26))
    return document_issue(
        kind=kind,
        issuer=world.committee,
        context={"member": {"name": "王䶮"}},
        actor=world.approver,
        **kw,
    )


def test_numbers_are_sequential_without_leading_zeros_or_di(world, fake_render):
    numbers = [issue(world).number for _ in range(3)]
    assert numbers == ["测委函〔2026〕1号", "测委函〔2026〕2号", "测委函〔2026〕3号"]


def test_each_series_and_each_year_counts_on_its_own(world, fake_render):
    assert issue(world).serial == 1
    assert issue(world, kind="decision_removal").number == "测委发〔2026〕1号"
    assert issue(world, kind="decision_suspension").number == "测委发〔2026〕2号"
    assert issue(world, kind="reply").number == "测委复〔2026〕1号"
    assert issue(world, issued_on=dt.date(2027, 1, 2)).number == "测委函〔2027〕1号"
    assert issue(world).number == "测委函〔2026〕2号"


def test_letters_share_one_series_whatever_their_subject(world, fake_render):
    numbers = [
        issue(world, kind=kind).number
        for kind in ("inquiry_letter", "reminder_letter", "appeal_acknowledgement")
    ]
    assert numbers == ["测委函〔2026〕1号", "测委函〔2026〕2号", "测委函〔2026〕3号"]


def test_forms_and_records_carry_no_number_and_count_nothing(world, fake_render):
    from documents.models import DocumentCounter

    for kind in ("register_form", "talk_record", "approval_form", "meeting_resolution"):
        document = issue(world, kind=kind)
        assert document.number is None and document.serial is None
    assert not DocumentCounter.objects.exists()


def test_an_organisation_numbers_by_its_own_practice(world, fake_render):
    from documents.models import IssuerProfile

    IssuerProfile.objects.create(
        organisation=world.committee, decision_suffix="组发", letter_suffix="函"
    )
    assert issue(world, kind="decision_removal").number == "测委组发〔2026〕1号"
    assert issue(world).number == "测委函〔2026〕1号"


def test_a_branch_request_goes_up_unnumbered_unless_the_branch_has_a_code(world, fake_render):
    request = document_issue(
        kind="request",
        issuer=world.branch,
        context={},
        actor=world.secretary,
        issued_on=dt.date(2026, 11, 26),
    )
    assert request.number is None
    world.branch.doc_code = "测一支"
    world.branch.save(update_fields=["doc_code"])
    numbered = document_issue(
        kind="request",
        issuer=world.branch,
        context={},
        actor=world.secretary,
        issued_on=dt.date(2026, 11, 26),
    )
    assert numbered.number == "测一支请〔2026〕1号"


def test_issuing_records_a_pending_document_and_an_audit_event(world, case, fake_render):
    document = issue(world, case=case, member=case.member)
    assert document.status == DocumentStatus.PENDING
    assert document.context["member"]["name"] == "王䶮"
    event = AuditEvent.objects.get(action="document.issue")
    assert event.object_id == str(document.pk)
    assert event.after["number"] == document.number
    assert event.organisation == world.committee


def test_the_render_runs_after_commit_and_stores_hashed_bytes(
    world, fake_render, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = issue(world)
    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED
    data = document.file.read()
    import hashlib

    assert hashlib.sha256(data).hexdigest() == document.sha256
    assert document.number.encode() in data
    assert AuditEvent.objects.filter(action="document.render", object_id=str(document.pk)).exists()


def test_the_context_is_encrypted_at_rest(world, fake_render):
    document = issue(world)
    with connection.cursor() as cursor:
        cursor.execute("SELECT context_json FROM documents_document WHERE id = %s", [document.pk])
        raw = cursor.fetchone()[0]
    assert "王䶮" not in raw


def test_it_refuses_an_issuer_outside_the_actors_subtree(world, fake_render):
    with pytest.raises(PermissionDenied):
        document_issue(
            kind="inquiry_letter", issuer=world.committee, context={}, actor=world.outsider
        )
    assert not Document.objects.exists()


def test_it_refuses_an_unknown_kind_and_an_issuer_without_doc_code(world, fake_render):
    with pytest.raises(DomainError):
        issue(world, kind="memo")
    with pytest.raises(DomainError):
        document_issue(
            kind="decision_removal", issuer=world.branch, context={}, actor=world.officer
        )


def test_voiding_records_the_reason_and_an_audit_event(world, fake_render):
    document = issue(world)
    document_void(document=document, actor=world.approver, reason="收文单位名称有误")
    document.refresh_from_db()
    assert document.status == DocumentStatus.VOIDED
    assert document.void_reason == "收文单位名称有误"
    assert AuditEvent.objects.get(action="document.void").reason == "收文单位名称有误"


def test_voiding_needs_a_reason_and_cannot_happen_twice(world, fake_render):
    document = issue(world)
    with pytest.raises(DomainError):
        document_void(document=document, actor=world.approver, reason="  ")
    document_void(document=document, actor=world.approver, reason="错误")
    with pytest.raises(Conflict):
        document_void(document=document, actor=world.approver, reason="错误")


def test_a_correction_gets_a_new_number_and_points_to_the_voided_document(world, fake_render):
    original = issue(world)
    document_void(document=original, actor=world.approver, reason="日期有误")
    correction = issue(world, replaces=original)
    assert correction.number == "测委函〔2026〕2号"
    assert correction.replaces == original
    original.refresh_from_db()
    assert original.replaced_by == correction


def test_only_a_voided_document_of_the_same_kind_can_be_replaced_once(world, fake_render):
    original = issue(world)
    with pytest.raises(Conflict):
        issue(world, replaces=original)
    document_void(document=original, actor=world.approver, reason="错误")
    with pytest.raises(Conflict):
        issue(world, kind="reminder_letter", replaces=original)
    issue(world, replaces=original)
    with pytest.raises(Conflict):
        issue(world, replaces=original)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_issuing_on_postgres_gives_no_duplicates_and_no_gaps(monkeypatch):
    from tests.factories import build_world

    monkeypatch.setattr("documents.services._enqueue_render", lambda pk: None)
    world = build_world()
    threads, per_thread = 6, 5
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(per_thread):
                issue(world)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    serials = sorted(s or 0 for s in Document.objects.values_list("serial", flat=True))
    assert serials == list(range(1, threads * per_thread + 1))
    numbers = list(Document.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)


def test_reissuing_a_voided_document_prints_the_number_it_replaces(world, fake_render):
    from documents.services import document_reissue

    original = issue(world)
    with pytest.raises(Conflict):
        document_reissue(document=original, actor=world.approver)
    document_void(document=original, actor=world.approver, reason="日期有误")
    with pytest.raises(PermissionDenied):
        document_reissue(document=original, actor=world.outsider)
    correction = document_reissue(document=original, actor=world.approver)
    assert correction.replaces == original and correction.kind == original.kind
    assert correction.number == "测委函〔2026〕2号"
    note = f"本件为更正文书，替代已作废的{original.number}。"
    assert correction.context["body"][-1] == note
    with pytest.raises(Conflict):
        document_reissue(document=original, actor=world.approver)
