"""Golden text: per outcome, a case driven through the flow's task forms by users picked by
role; every PDF it issued is rendered by the real render path (the Celery task's body), its
text extracted and compared with the text an official approved (tests/documents/golden/).
A fact that goes blank, a wrong organ, addressee, signer, title or date fails the test.

Regenerate after a deliberate change with LIANLUO_GOLDEN_UPDATE=1 and read the diff.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import pytest

from casework.devdata.demo import seed_demo
from casework.models import Case, Inquiry, Organisation
from documents.models import Document
from documents.services import document_render
from tests.documents import pdfcheck
from workflows import prevention_samples
from workflows.case import outcomes, samples
from workflows.case.drive import Clock

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden"
START = dt.date(2026, 3, 2)


def _removal_voted(stage: samples.Stage) -> Case:
    """A removal proposed, pre-reviewed, notified, defended and voted: waiting for approval."""
    case = samples.opened(stage, samples.lost_member(stage, 3))
    case = samples.located(
        stage, case, "unfit", "不再符合党员条件", "问：有何打算？\n答：不想参加活动。"
    )
    case = samples.step(
        stage,
        case,
        "propose",
        {"kind": "remove", "grounds": ["slack_work"], "reasons": "该同志长期不参加组织生活。"},
    )
    for _ in range(2):
        case = samples.step(stage, case, "pre_review", {"decision": "agree", "comment": ""})
    case = samples.step(stage, case, "notice", {"notified_on": stage.today.isoformat()})
    case = samples.step(stage, case, "defence", {"defence_text": "我愿意改正。"})
    case = samples.step(
        stage,
        case,
        "meeting",
        {
            "decision": "record",
            "held_on": stage.today.isoformat(),
            "place": "党员活动室",
            "voting_members": 9,
            "present": 8,
            "votes_for": 5,
            "votes_against": 3,
            "abstentions": 0,
        },
    )
    return case


def sent_back(stage: samples.Stage) -> Case:
    """The committee sends the case back to the meeting with its opinion."""
    return samples.step(
        stage,
        _removal_voted(stage),
        "approval",
        {"decision": "send_back", "comment": "本人已表示愿意改正，请支部大会重新研究处置方式。"},
    )


def refused(stage: samples.Stage) -> Case:
    """The committee refuses (不予批准) with its reason; the branch studies the case again."""
    return samples.step(
        stage,
        _removal_voted(stage),
        "approval",
        {
            "decision": "refuse",
            "then": "branch",
            "comment": "该同志在申辩中表示愿意改正，给予除名处置依据不足，请党支部另行研究。",
        },
    )


def restoration(stage: samples.Stage) -> Case:
    return outcomes.restoration(stage, outcomes.suspension(stage))


OUTCOMES: dict[str, Callable[[samples.Stage], Case]] = {
    **outcomes.SCENARIOS,
    "refused": refused,
    "restoration": restoration,
    "sent_back": sent_back,
}


def normalised(path: Path, verify_code: str) -> str:
    raw = pdfcheck.text(path)
    # the verification block (QR code, its caption, the code) and page numbers are no facts;
    # where a layout places them in the reading order must not matter
    for noise in (verify_code, "扫码核验", "核验码"):
        raw = raw.replace(noise, "")
    raw = re.sub(r"—\d+—", "", raw)
    return re.sub(r"(。|：|；)", r"\1\n", raw).strip()


def documents_of(case: Case) -> list[Document]:
    """The case's documents and the department letters about its inquiries, in issue order."""
    inquiry_ids = set(Inquiry.objects.filter(case=case).values_list("pk", flat=True))
    letters = [
        d
        for d in Document.objects.filter(case__isnull=True).order_by("id")
        if inquiry_ids & set(d.context.get("inquiries", []))
    ]
    return sorted([*Document.objects.filter(case=case), *letters], key=lambda d: d.pk)


def transcript(case: Case) -> str:
    return transcript_of(documents_of(case))


def transcript_of(documents: list[Document]) -> str:
    parts = []
    for document in documents:
        document = document_render(document_id=document.pk)
        path = Path(document.file.path)
        header = f"=== {document.kind} {document.number or '（无文号）'}"
        parts.append(f"{header}\n{normalised(path, document.verify_code)}\n")
    return "\n".join(parts)


@pytest.mark.parametrize("outcome", sorted(OUTCOMES))
def test_every_document_a_case_issued_reads_as_approved(outcome, settings):
    clock = Clock(START)
    with (
        mock.patch("documents.services._enqueue_render", lambda document_id: None),
        clock.running(),
    ):
        seed_demo(members=0, today=clock.today)
        branch = Organisation.objects.get(code="FZYZ-1")
        stage = samples.prepare_stage(branch=branch, clock=clock)
        case = OUTCOMES[outcome](stage)
        text = transcript(case)
    golden = GOLDEN / f"{outcome}.txt"
    if os.environ.get("LIANLUO_GOLDEN_UPDATE"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_the_prevention_documents_a_branch_issued_read_as_approved(settings):
    """The handover record and the letters to outgoing members, issued by the services the
    branch secretary's screens call (workflows.prevention_samples)."""
    clock = Clock(START)
    with (
        mock.patch("documents.services._enqueue_render", lambda document_id: None),
        clock.running(),
    ):
        seed_demo(members=0, today=clock.today)
        branch = Organisation.objects.get(code="FZYZ-1")
        stage = samples.prepare_stage(branch=branch, clock=clock)
        issued = prevention_samples.prevention_documents(stage)
        letters = Document.objects.filter(pk__in=issued.letters.document_ids).order_by("pk")
        text = transcript_of([issued.handover_record, *letters])
    golden = GOLDEN / "prevention.txt"
    if os.environ.get("LIANLUO_GOLDEN_UPDATE"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_blanking_a_fact_fails_the_comparison(settings):
    """The comparison reads facts: the same case with its meeting place gone differs (and is
    refused before that: a resolution without a place cannot be issued)."""
    from casework.models import MeetingResolution
    from documents.issuing import case_documents_issue
    from documents.templating import MissingFact

    clock = Clock(START)
    with (
        mock.patch("documents.services._enqueue_render", lambda document_id: None),
        clock.running(),
    ):
        seed_demo(members=0, today=clock.today)
        branch = Organisation.objects.get(code="FZYZ-1")
        stage = samples.prepare_stage(branch=branch, clock=clock)
        case = outcomes.failed_vote(stage)
        MeetingResolution.objects.filter(proposal__case=case).update(place="")
        with pytest.raises(MissingFact, match="会议地点"):
            case_documents_issue(kinds=["meeting_resolution"], case=case, actor=None)
