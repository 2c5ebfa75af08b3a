"""The human steps of the case flow, one declaration each.

A step says everything about itself in one place: its node name and title, the form a user
fills in, its seat (who may claim and do it: a casework.seats function of the case), its due
days, the case statuses it may be open in, its named routes (and the nodes each may lead to),
the documents it issues, and `apply(case, actor, data)`, which calls the one casework service
that does the work. The route a completion takes is chosen from the form's data by `choose`.

Everything else reads this table: `flows.py` builds one node per step, one generic task view
(`views.StepView`) serves every step, the API completes a task through the same
`workflows.services.task_complete`, and the open-task invariants, the documents per step,
the approval queue and the tests' tables are derived from it. Adding a step is one entry here
and one casework service.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from casework import seats
from casework.models import Case, CaseStatus
from casework.services import cases as svc
from casework.services import inquiries as inq
from documents.facts import DECISION_OF
from documents.kinds import DocumentKind as K
from workflows.case import documents as docs
from workflows.case import forms as f

S = CaseStatus
Data = Mapping[str, Any]
Apply = Callable[[Case, AbstractBaseUser, Data], Case]


class Route(StrEnum):
    """The named ways out of a step. The case status decides the next node, except where a
    route names it."""

    NEXT = "next"  # the step's work is done: the case status decides what comes next
    TALK = "talk"  # contact regained: the talk (two full members) comes next
    SEND_BACK = "send_back"  # returned to the step before (also from the case page)
    STAY = "stay"  # something recorded, the task stays open (an outreach attempt)
    REFUSE = "refuse"  # the approving organ refuses (不予批准): back to the branch, closed,
    # or — a restoration — back to the suspension in force


@dataclass(frozen=True)
class Step:
    name: str
    title: str | Promise
    form: type[forms.Form]
    seat: Callable[[Case], seats.Seat]
    due_days: int
    statuses: frozenset[str]
    # each route the step may take → the nodes it may lead to (the flow chart's edges)
    routes: Mapping[Route, tuple[str, ...]]
    apply: Apply
    choose: Callable[[Data], Route] = lambda data: Route.NEXT
    # the kinds it may issue on its NEXT (or REFUSE) route; `pick_documents` chooses among
    # them by case
    # (workflows/case/documents.py); without it, every kind listed is issued
    documents: tuple[str, ...] = ()
    pick_documents: Callable[[Case], Sequence[docs.Issue]] | None = None
    reviews: bool = False  # a committee's or the department's review: the approval queue
    four_eyes: bool = False  # the proposer and the meeting's recorder may not take it
    stay_message: str | Promise = ""
    # a side step: opened beside the main path by a workflows service (an appeal), never
    # routed to from another step; after it the main path follows the case (task_complete)
    side: bool = False

    @property
    def next_nodes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(node for nodes in self.routes.values() for node in nodes))

    def documents_for(self, case: Case, route: Route) -> list[docs.Issue]:
        """The documents this completion issues for the case."""
        if route in (Route.SEND_BACK, Route.STAY, Route.TALK):
            return []
        if self.pick_documents is not None:
            return list(self.pick_documents(case))
        return [(kind, {}) for kind in self.documents]

    def form_for(self, *, case: Case, user: Any, data: Any = None) -> forms.Form:
        """The step's form for this case and user (forms that offer choices by case or by
        user take them as keyword arguments)."""
        params = inspect.signature(self.form.__init__).parameters
        kwargs: dict[str, Any] = {}
        if "case" in params:
            kwargs["case"] = case
        if "user" in params:
            kwargs["user"] = user
        return self.form(data=data, **kwargs)


# ---- route choices: one line each ------------------------------------------------------------


def _by_decision(data: Data) -> Route:
    return {"send_back": Route.SEND_BACK, "refuse": Route.REFUSE}.get(
        data.get("decision") or "", Route.NEXT
    )


def _by_outreach_action(data: Data) -> Route:
    return {"record": Route.STAY, "located": Route.TALK}.get(data["action"], Route.NEXT)


def _by_conclusion(data: Data) -> Route:
    return Route.TALK if data["conclusion"] == "located" else Route.NEXT


def _by_clue(data: Data) -> Route:
    return Route.TALK if data["result"] == "confirmed" else Route.NEXT


# ---- what each step does: one casework service per route -------------------------------------


def _fresh(case: Case) -> Case:
    """The case as the services left it (for steps whose service returns something else)."""
    return Case.objects.select_related("member", "organisation").get(pk=case.pk)


def _outreach(case: Case, actor: AbstractBaseUser, data: Data) -> Case:
    route = _by_outreach_action(data)
    if route is Route.STAY:
        return svc.case_record_outreach_attempt(
            case=case,
            actor=actor,
            channel=data["channel"],
            outcome=data["outcome"],
            notes=data.get("notes") or "",
        )
    if route is Route.TALK:
        return case  # the talk records the regained contact
    return svc.case_finish_outreach(case=case, actor=actor, comment=data.get("notes") or "")


def _talk(case: Case, actor: AbstractBaseUser, data: Data) -> Case:
    return svc.case_mark_located(
        case=case,
        actor=actor,
        talkers=(data["talker1"], data["talker2"]),
        held_on=data["held_on"],
        content=data["content"],
        place=data["place"],
        recorder=data["recorder"],
    )


def _request_inquiries(case: Case, actor: AbstractBaseUser, data: Data) -> Case:
    inq.inquiry_request(case=case, departments=list(data["departments"]), actor=actor, sign=True)
    return _fresh(case)


def _assess_clues(case: Case, actor: AbstractBaseUser, data: Data) -> Case:
    inq.inquiry_assess_clue(
        inquiry=data["inquiry"],
        actor=actor,
        confirmed=_by_clue(data) is Route.TALK,
        notes=data["notes"],
    )
    return _fresh(case)


def _conclude_search(case: Case, actor: AbstractBaseUser, data: Data) -> Case:
    if _by_conclusion(data) is Route.TALK:
        return case  # the talk records the regained contact
    return svc.case_mark_not_located(case=case, actor=actor, comment=data.get("comment") or "")


def _assess_cause(case: Case, actor: AbstractBaseUser, data: Data) -> Case:
    return svc.case_assess_cause(
        case=case, actor=actor, cause=data["cause"], notes=data.get("notes") or ""
    )


def _propose(case: Case, actor: AbstractBaseUser, data: Data) -> Case:
    return svc.case_propose(
        case=case,
        actor=actor,
        kind=data["kind"],
        grounds=list(data.get("grounds") or []),
        reasons=data["reasons"],
        correction_months=data.get("correction_months"),
    )


def _send_back(case: Case, actor: AbstractBaseUser, data: Data) -> Case:
    return svc.case_send_back(case=case, actor=actor, comment=data.get("comment") or "")


def _pre_review(case: Case, actor: AbstractBaseUser, data: Data) -> Case:
    if _by_decision(data) is Route.SEND_BACK:
        return _send_back(case, actor, data)
    return svc.case_pre_review(case=case, actor=actor, comment=data.get("comment") or "")


def _notice(case: Case, actor: AbstractBaseUser, data: Data) -> Case:
    return svc.case_notify_member(
        case=case, actor=actor, notified_on=data["notified_on"], how=data.get("how") or ""
    )


def _defence(case: Case, actor: AbstractBaseUser, data: Data) -> Case:
    return svc.case_close_defence(
        case=case, actor=actor, defence_text=data.get("defence_text") or ""
    )


def _meeting(case: Case, actor: AbstractBaseUser, data: Data) -> Case:
    if _by_decision(data) is Route.SEND_BACK:
        return _send_back(case, actor, data)
    return svc.case_record_meeting(
        case=case,
        actor=actor,
        held_on=data["held_on"],
        place=data["place"],
        voting_members=data["voting_members"],
        present=data["present"],
        votes_for=data["votes_for"],
        votes_against=data["votes_against"],
        abstentions=data["abstentions"],
    )


def _approval(case: Case, actor: AbstractBaseUser, data: Data) -> Case:
    route = _by_decision(data)
    if route is Route.SEND_BACK:
        return _send_back(case, actor, data)
    if route is Route.REFUSE:
        return svc.case_refuse(
            case=case, actor=actor, reason=data.get("comment") or "", close=data["then"] == "close"
        )
    return svc.case_approve(case=case, actor=actor, comment=data.get("comment") or "")


def _close(case: Case, actor: AbstractBaseUser, data: Data) -> Case:
    return svc.case_close(case=case, actor=actor, comment=data.get("comment") or "")


def _correction_review(case: Case, actor: AbstractBaseUser, data: Data) -> Case:
    return svc.case_review_correction(
        case=case, actor=actor, corrected=data["corrected"], notes=data.get("notes") or ""
    )


def _serve_decision(case: Case, actor: AbstractBaseUser, data: Data) -> Case:
    return svc.case_record_service(
        case=case, actor=actor, served_on=data["served_on"], how=data["how"]
    )


def _persuasion_outcome(case: Case, actor: AbstractBaseUser, data: Data) -> Case:
    return svc.case_record_persuasion_outcome(
        case=case, actor=actor, withdrew=data["withdrew"], on=data["on"], notes=data["notes"]
    )


def _restoration(case: Case, actor: AbstractBaseUser, data: Data) -> Case:
    return svc.case_apply_for_restoration(
        case=case, actor=actor, applied_on=data["applied_on"], application=data["application"]
    )


def _by_appeal_outcome(data: Data) -> Route:
    return Route.NEXT  # upheld or revoked: the case status says what follows


def _appeal_review(case: Case, actor: AbstractBaseUser, data: Data) -> Case:
    return svc.case_decide_appeal(
        case=case, actor=actor, upheld=data["outcome"] == "upheld", reason=data["reason"]
    )


# ---- the table ---------------------------------------------------------------------------------

R = Route
STEPS: tuple[Step, ...] = (
    Step(
        name="outreach",
        title=_("联系查找"),
        form=f.OutreachForm,
        seat=seats.branch_officer_seat,
        due_days=30,
        statuses=frozenset({S.REGISTERED, S.OUTREACH}),
        routes={R.NEXT: ("request_inquiries", "end"), R.TALK: ("talk",), R.STAY: ()},
        apply=_outreach,
        choose=_by_outreach_action,
        stay_message=_("已记录联系情况。"),
    ),
    Step(
        name="talk",
        title=_("谈话记录"),
        form=f.TalkForm,
        seat=seats.branch_officer_seat,
        due_days=10,
        statuses=frozenset({S.REGISTERED, S.OUTREACH, S.INQUIRY}),
        routes={R.NEXT: ("assess_cause",)},
        apply=_talk,
        documents=(K.TALK_RECORD,),
    ),
    Step(
        name="request_inquiries",
        title=_("发起部门协查"),
        form=f.RequestInquiriesForm,
        seat=seats.coordinator_seat,
        due_days=5,
        statuses=frozenset({S.INQUIRY}),
        routes={R.NEXT: ("wait_inquiries",)},
        apply=_request_inquiries,
    ),
    Step(
        name="assess_clues",
        title=_("研判线索"),
        form=f.AssessCluesForm,
        seat=seats.branch_officer_seat,
        due_days=10,
        statuses=frozenset({S.INQUIRY}),
        routes={R.TALK: ("talk",), R.NEXT: ("wait_inquiries", "conclude_search")},
        apply=_assess_clues,
        choose=_by_clue,
    ),
    Step(
        name="conclude_search",
        title=_("查找结论"),
        form=f.ConcludeSearchForm,
        seat=seats.branch_officer_seat,
        due_days=10,
        statuses=frozenset({S.INQUIRY}),
        routes={R.TALK: ("talk",), R.NEXT: ("propose",)},
        apply=_conclude_search,
        choose=_by_conclusion,
    ),
    Step(
        name="assess_cause",
        title=_("失联原因认定"),
        form=f.AssessCauseForm,
        seat=seats.branch_officer_seat,
        due_days=10,
        statuses=frozenset({S.LOCATED}),
        routes={R.NEXT: ("propose", "approval")},
        apply=_assess_cause,
        documents=(K.REQUEST,),
        pick_documents=docs.pick_assess_cause,
    ),
    Step(
        name="propose",
        title=_("处置提议"),
        form=f.ProposeForm,
        seat=seats.branch_secretary_seat,
        due_days=15,
        statuses=frozenset({S.NOT_LOCATED, S.PROPOSAL}),
        routes={R.NEXT: ("pre_review", "meeting")},
        apply=_propose,
        documents=(K.APPROVAL_FORM, K.RESTORATION_FORM),
        pick_documents=docs.pick_propose,
    ),
    Step(
        name="pre_review",
        title=_("预审"),
        form=f.ReviewForm,
        seat=seats.pre_review_seat,
        due_days=15,
        statuses=frozenset({S.PRE_REVIEW}),
        routes={R.NEXT: ("pre_review", "notice", "approval"), R.SEND_BACK: ("propose",)},
        apply=_pre_review,
        choose=_by_decision,
        documents=(K.PRE_REVIEW_OPINION,),
        pick_documents=docs.pick_pre_review,
        reviews=True,
    ),
    Step(
        name="notice",
        title=_("告知党员本人"),
        form=f.NoticeForm,
        seat=seats.branch_officer_seat,
        due_days=5,
        statuses=frozenset({S.DEFENCE}),
        routes={R.NEXT: ("defence",), R.SEND_BACK: ("pre_review",)},
        apply=_notice,
        documents=(K.DEFENCE_NOTICE, K.DELIVERY_RECEIPT, K.PUBLIC_NOTICE),
        pick_documents=docs.pick_notice,
    ),
    Step(
        name="defence",
        title=_("申辩"),
        form=f.DefenceForm,
        seat=seats.branch_officer_seat,
        due_days=20,
        statuses=frozenset({S.DEFENCE}),
        routes={R.NEXT: ("meeting",), R.SEND_BACK: ("pre_review",)},
        apply=_defence,
    ),
    Step(
        name="meeting",
        title=_("支部大会表决"),
        form=f.MeetingForm,
        seat=seats.branch_secretary_seat,
        due_days=30,
        statuses=frozenset({S.MEETING}),
        routes={R.NEXT: ("approval", "propose", "close"), R.SEND_BACK: ("defence", "propose")},
        apply=_meeting,
        choose=_by_decision,
        documents=(K.MEETING_RESOLUTION, K.REQUEST, K.FILING_REPORT),
        pick_documents=docs.pick_meeting,
    ),
    Step(
        name="approval",
        title=_("党委审批"),
        form=f.ApprovalForm,
        seat=seats.approval_seat,
        due_days=30,
        statuses=frozenset({S.APPROVAL}),
        routes={
            R.NEXT: ("close", "serve_decision", "restoration", "persuasion_outcome"),
            R.REFUSE: ("propose", "end", "restoration"),
            R.SEND_BACK: ("meeting", "pre_review", "assess_cause"),
        },
        apply=_approval,
        choose=_by_decision,
        documents=(
            K.REPLY,
            *DECISION_OF.values(),
            K.DECISION_REMOVAL_AFTER_PERSUASION,
            K.DELIVERY_RECEIPT,
        ),
        pick_documents=docs.pick_approval,
        reviews=True,
        four_eyes=True,
    ),
    Step(
        name="serve_decision",
        title=_("决定送达"),
        form=f.ServeDecisionForm,
        seat=seats.branch_officer_seat,
        due_days=10,
        statuses=frozenset({S.IN_FORCE}),
        routes={R.NEXT: ("correction_wait",)},
        apply=_serve_decision,
    ),
    Step(
        name="persuasion_outcome",
        title=_("劝退后情况"),
        form=f.PersuasionOutcomeForm,
        seat=seats.branch_officer_seat,
        due_days=30,
        statuses=frozenset({S.IN_FORCE}),
        routes={R.NEXT: ("end", "propose")},
        apply=_persuasion_outcome,
        documents=(K.DOSSIER,),
        pick_documents=docs.pick_persuasion_outcome,
    ),
    Step(
        name="close",
        title=_("决定生效与归档"),
        form=f.CloseForm,
        seat=seats.branch_officer_seat,
        due_days=15,
        statuses=frozenset({S.IN_FORCE}),
        routes={R.NEXT: ("end",)},
        apply=_close,
        documents=(K.DOSSIER,),
    ),
    Step(
        name="correction_review",
        title=_("限期改正期满复核"),
        form=f.CorrectionReviewForm,
        seat=seats.branch_officer_seat,
        due_days=15,
        statuses=frozenset({S.IN_FORCE}),
        routes={R.NEXT: ("end", "propose")},
        apply=_correction_review,
        documents=(K.CORRECTION_REVIEW, K.DOSSIER),
        pick_documents=docs.pick_correction_review,
    ),
    Step(
        name="restoration",
        title=_("停止党籍期间：恢复党籍申请"),
        form=f.RestorationForm,
        seat=seats.branch_officer_seat,
        due_days=730,
        statuses=frozenset({S.IN_FORCE}),
        routes={R.NEXT: ("propose",)},
        apply=_restoration,
    ),
    # side steps: beside the main path (see Step.side)
    Step(
        name="appeal_review",
        title=_("申诉复查"),
        form=f.AppealReviewForm,
        seat=seats.appeal_seat,
        due_days=90,
        # open beside whatever the main path does meanwhile (the decision is not stayed)
        statuses=frozenset(set(S.values) - {S.WITHDRAWN}),
        # upheld: the main path goes on (or, on a closed case, the process ends); revoked:
        # back to the branch (the main path's open task follows the case)
        routes={R.NEXT: ("end", "propose")},
        apply=_appeal_review,
        choose=_by_appeal_outcome,
        documents=(K.APPEAL_REPLY,),
        pick_documents=docs.pick_appeal_review,
        reviews=True,
        side=True,
    ),
)

STEP_BY_NAME: dict[str, Step] = {step.name: step for step in STEPS}
STEP_TITLES: dict[str, str | Promise] = {step.name: step.title for step in STEPS}
REVIEW_STEPS: tuple[str, ...] = tuple(step.name for step in STEPS if step.reviews)
FOUR_EYES_STEPS: tuple[str, ...] = tuple(step.name for step in STEPS if step.four_eyes)
SIDE_STEPS: frozenset[str] = frozenset(step.name for step in STEPS if step.side)


def step_named(name: str) -> Step | None:
    """The human step of that node name; None for the flow's other nodes (waits, timers)."""
    return STEP_BY_NAME.get(name)
