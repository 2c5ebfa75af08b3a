"""Demo cases, one per outcome the flow reaches today, for `render_samples` and the documents'
golden tests (the stage and the steps: workflows.case.samples).

Kinds whose step is not in the flow yet (letter to the member, appeal letters, transfer
chaser) are issued through documents.issuing from the furthest state
a real case reaches today; `ROUTE_PENDING` lists them. The documents of a branch's own ledgers
(the handover record, the letters to outgoing members) come from the prevention services
(workflows.prevention_samples); the letter to an outgoing member is a `member_letter` sampled
under its own name (OUTGOING_LETTER).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.management import call_command

from casework.models import Case, Role, RoleAssignment
from casework.services.ledgers import relation_transfer_issue
from documents.issuing import case_documents_issue, transfer_chaser_issue
from documents.kinds import DocumentKind as K
from documents.models import Document
from workflows.case.samples import (
    Stage,
    Vote,
    closed,
    colleagues,
    decide,
    flush_on_commit,
    fresh,
    inquiries_not_found,
    located,
    lost_member,
    opened,
    outreach_fails,
    step,
)
from workflows.prevention_samples import prevention_documents

# Kinds rendered from the furthest real state because their step is not in the flow yet.
ROUTE_PENDING = (
    K.MEMBER_LETTER,
    K.APPEAL_ACKNOWLEDGEMENT,
    K.APPEAL_REPLY,
    K.TRANSFER_CHASER,
)


# ---- one case per outcome -------------------------------------------------------------------

SUSPENSION_REASONS = (
    "该同志自2025年8月起与党组织失去联系，经党支部多种方式查找并商请有关部门协助查找，"
    "仍无法取得联系，已超过6个月。"
)


def suspension(stage: Stage, index: int = 0) -> Case:
    case = opened(stage, lost_member(stage, index))
    case = outreach_fails(stage, case)
    case = inquiries_not_found(stage, case)
    return decide(
        stage, case, "suspend", ["lost_contact"], SUSPENSION_REASONS, notice_how="public_notice"
    )


def restoration(stage: Stage, case: Case) -> Case:
    """A suspended member reappears: application, branch assessment, approval by the
    organisation department."""
    stage.later(60)
    case = step(
        stage,
        case,
        "restoration",
        {
            "applied_on": stage.today.isoformat(),
            "application": "本人因在外地务工更换手机号，未能与党组织保持联系，现申请恢复党籍。",
        },
    )
    case = decide(
        stage,
        case,
        "restore",
        [],
        "经党支部教育和考察，该同志能够认识错误，按月参加组织生活、交纳党费，同意恢复其党籍。",
    )
    return closed(stage, case)


def annulled(stage: Stage, index: int = 5) -> Case:
    case = opened(stage, lost_member(stage, index, probationary=True))
    case = outreach_fails(stage, case)
    case = inquiries_not_found(stage, case, remind=False)
    return decide(
        stage,
        case,
        "annul_probation",
        ["lost_contact"],
        "该同志预备期内与党组织失去联系，经多方查找仍无法取得联系，不履行党员义务。",
    )


def correction(stage: Stage, index: int = 1, *, corrected: bool) -> Case:
    case = opened(stage, lost_member(stage, index))
    case = located(
        stage,
        case,
        "subjective",
        "本人对组织生活不重视",
        "问：为什么长期不参加组织生活？\n答：工作忙，觉得参加不参加无所谓。",
    )
    case = decide(
        stage,
        case,
        "correction",
        ["slack_work", "lax_discipline"],
        "该同志2025年6月以来无正当理由连续7个月未参加组织生活、未交纳党费。",
        defence="本人认识到错误，愿意改正。",
        months=6,
    )
    assert case.clock_due is not None  # the correction clock runs
    stage.clock.until(case.clock_due)
    call_command("workflow_timers")
    flush_on_commit()
    notes = (
        "期间按月参加组织生活，补交了党费，主动向党支部汇报思想。"
        if corrected
        else "期间仍未参加组织生活，经多次谈话教育仍无转变。"
    )
    return step(
        stage,
        fresh(case),
        "correction_review",
        {"corrected": "1" if corrected else "0", "notes": notes},
    )


def persuasion(stage: Stage, index: int = 2) -> Case:
    case = correction(stage, index, corrected=False)
    return decide(
        stage,
        case,
        "persuade",
        ["weak_purpose", "slack_work"],
        "该同志限期改正期满后经教育仍无转变，仍不参加组织生活、不交纳党费。",
    )


def removal(stage: Stage, index: int = 3) -> Case:
    case = opened(stage, lost_member(stage, index))
    case = located(
        stage,
        case,
        "unfit",
        "理想信念缺失，不再符合党员条件",
        "问：你对党组织有什么意见？\n答：我不想再做党员了，也不会参加任何活动。",
    )
    case = decide(
        stage,
        case,
        "remove",
        ["lost_convictions", "lax_discipline"],
        "该同志理想信念缺失，长期不参加组织生活、不交纳党费，明确表示不再履行党员义务。",
    )
    return closed(stage, case)


def withdrawal(stage: Stage, index: int = 4) -> Case:
    case = opened(stage, lost_member(stage, index))
    case = located(
        stage,
        case,
        "asks_to_leave",
        "本人要求退党",
        "问：你今后有什么打算？\n答：我经过慎重考虑，要求退党。",
    )
    case = decide(
        stage, case, "withdrawal", [], "该同志经慎重考虑，书面提出退党要求，经党支部谈话后仍坚持。"
    )
    return closed(stage, case)


def failed_vote(stage: Stage, index: int = 6) -> Case:
    case = opened(stage, lost_member(stage, index))
    case = located(
        stage, case, "unfit", "不再符合党员条件", "问：你为什么不参加组织生活？\n答：没时间。"
    )
    return decide(
        stage,
        case,
        "remove",
        ["slack_work"],
        "该同志长期不参加组织生活。",
        vote=Vote(voting=9, present=8, votes_for=3, against=4, abstain=1),
    )


def removal_after_persuasion(stage: Stage, case: Case) -> Case:
    """劝而不退: the persuaded member does not withdraw; the branch meeting removes, the
    committee approves."""
    stage.later(20)
    case = step(
        stage,
        case,
        "persuasion_outcome",
        {
            "withdrew": "0",
            "on": stage.today.isoformat(),
            "notes": "经党支部多次劝告，本人仍坚持不退党。",
        },
    )
    case = decide(
        stage,
        case,
        "remove",
        ["weak_purpose", "slack_work"],
        "该同志经劝退后仍坚持不退党，依照党章第九条应予除名。",
    )
    return closed(stage, case)


def back_to_normal(stage: Stage, index: int = 7) -> Case:
    case = opened(stage, lost_member(stage, index))
    case = located(
        stage,
        case,
        "objective",
        "因赴外地照顾病重父母更换手机号，未及时告知党组织",
        "问：为什么没有联系党组织？\n答：在外地照顾病重的父母，换了手机号，忘了告知。",
    )
    case = step(stage, case, "approval", {"decision": "agree", "comment": ""})
    return closed(stage, case)


# ---- kinds whose route is not in the flow yet ------------------------------------------------


def pending_routes(stage: Stage, cases: dict[str, Case]) -> None:
    """Issue the kinds whose step does not exist yet from the furthest real state."""
    branch_officer = (
        RoleAssignment.objects.filter(organisation=stage.branch, role=Role.CONTACT_OFFICER)
        .order_by("-id")[0]
        .user
    )
    searching = opened(stage, lost_member(stage, 0))
    case_documents_issue(
        kinds=[K.MEMBER_LETTER],
        case=searching,
        actor=branch_officer,
        params={K.MEMBER_LETTER: {"reply_by": stage.today + dt.timedelta(days=30)}},
    )
    inquiries_not_found(stage, outreach_fails(stage, searching), remind=False)
    received = stage.today - dt.timedelta(days=10)
    case_documents_issue(
        kinds=[K.APPEAL_ACKNOWLEDGEMENT, K.APPEAL_REPLY],
        case=cases["removal"],
        actor=None,
        params={
            K.APPEAL_ACKNOWLEDGEMENT: {"received_on": received},
            K.APPEAL_REPLY: {
                "received_on": received,
                "upheld": True,
                "findings": "经调阅案卷、听取本人和党支部意见，原决定所依据的事实"
                "有谈话记录和支部大会决议等材料证实。",
            },
        },
    )
    member = colleagues(stage)[2]
    transfer = relation_transfer_issue(
        member=member,
        serial="榕教工委转〔2026〕45号",
        issued_on=stage.today - dt.timedelta(days=120),
        valid_until=stage.today - dt.timedelta(days=30),
        actor=branch_officer,
        to_name="中共厦门市思明区委组织部",
    )
    transfer_chaser_issue(
        transfer=transfer, actor=branch_officer, reply_by=stage.today + dt.timedelta(days=15)
    )


SCENARIOS: dict[str, Callable[[Stage], Case]] = {
    "suspension": suspension,
    "annulled": annulled,
    "corrected": lambda stage: correction(stage, corrected=True),
    "persuasion": persuasion,
    "removal": removal,
    "withdrawal": withdrawal,
    "failed_vote": failed_vote,
    "back_to_normal": back_to_normal,
}


def drive_all(stage: Stage) -> dict[str, Case]:
    """Every scenario, then the pending routes, then the branch's prevention documents;
    returns the cases by scenario."""
    cases: dict[str, Case] = {}
    for name, scenario in SCENARIOS.items():
        cases[name] = scenario(stage)
        if name == "persuasion":  # 劝而不退 → 除名, before the scenarios that follow
            cases["removal_after_persuasion"] = removal_after_persuasion(stage, cases[name])
    cases["restoration"] = restoration(stage, cases["suspension"])
    pending_routes(stage, cases)
    prevention_documents(stage)
    return cases


# The letter to an outgoing member (信函联系) is a member_letter: sampled under its own name.
OUTGOING_LETTER = "member_letter_outgoing"
SAMPLES = [*(kind.value for kind in K), OUTGOING_LETTER]


def sample_name(document: Document) -> str:
    if document.kind == K.MEMBER_LETTER and "outgoing" in document.context:
        return OUTGOING_LETTER
    return document.kind


def documents_by_sample() -> dict[str, Document]:
    """The latest document issued of each kind (and of each sample beside the kinds)."""
    latest: dict[str, Document] = {}
    for document in Document.objects.select_related("issuer").order_by("id"):
        latest[sample_name(document)] = document
    return latest


__all__ = [
    "OUTGOING_LETTER",
    "ROUTE_PENDING",
    "SAMPLES",
    "SCENARIOS",
    "documents_by_sample",
    "drive_all",
    "sample_name",
]
