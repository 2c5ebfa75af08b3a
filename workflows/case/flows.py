"""The case flow: one process per lost-contact case, one human task per step.

Declarations only. The human steps come from the table in workflows/case/steps.py (one node
each, served by the generic step view); this class adds the nodes no one fills in — the start,
the wait for the departments' answers, the correction-deadline timer, the 24-month
suspension limit (a timeout boundary on `restoration`) and the end — and the routing: the case
status the step's service leaves behind decides the next node (`route`, one-line branches),
unless the completion took a route that names it (Route.TALK). Timers are fired by
`manage.py workflow_timers` from beat.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.status import STATUS

from casework import hooks
from casework.caserules import inquiry_wait_over, unassessed_clues
from casework.models import Case, CaseStatus, ClockKind, Inquiry, Proposal, ProposalKind
from casework.seats import current_proposal
from casework.services import cases as case_services
from workflows.case.lock import process_row_lock
from workflows.case.nodes import CaseEnd, CaseFunction, CaseStep, CaseTimer, StartCase, WaitHandle
from workflows.case.steps import STEP_BY_NAME, STEPS, Route
from workflows.case.views import StepView
from workflows.models import CaseProcess, TaskDue, TaskState

FINISHED = (STATUS.DONE, STATUS.CANCELED, STATUS.REVIVED)

SEARCH = (CaseStatus.REGISTERED, CaseStatus.OUTREACH)
CLOSED = (CaseStatus.CLOSED, CaseStatus.WITHDRAWN)


def _step_node(name: str) -> CaseStep:
    return CaseStep(STEP_BY_NAME[name], StepView.as_view())


# One node per human step of the table, as class attributes the flow collects.
HumanSteps = type("HumanSteps", (), {step.name: _step_node(step.name) for step in STEPS})


class CaseFlow(HumanSteps, flow.Flow):  # type: ignore[misc,valid-type]
    process_class = CaseProcess
    lock_impl = process_row_lock
    process_title = _("失联党员案件")
    process_description = _("登记、查找、协查、认定、处置、审批与决定后期限")
    summary_template = "{{ process.case }}"

    # a lost-contact case starts with the search; a 自行脱党 or abroad case at the proposal
    start = StartCase(this.start_case).Routes(this.outreach, this.propose)
    wait_inquiries = (
        WaitHandle()
        .Annotation(title=_("等待部门答复"))
        .OpenIn(CaseStatus.INQUIRY)
        .Routes(this.assess_clues, this.conclude_search, this.talk)
    )
    correction_wait = (
        CaseTimer(this.clock_due_at)
        .Annotation(title=_("限期改正期"))
        .OpenIn(CaseStatus.IN_FORCE)
        .Routes(this.correction_review)
    )
    restoration = _step_node("restoration").OnTimeout(
        this.clock_due_at, this.expire_suspension, title=_("停止党籍满两年")
    )
    expire_suspension = (
        CaseFunction(this.expire_suspension_now)
        .Annotation(title=_("停止党籍期满"))
        .Routes(this.propose)
    )
    end = CaseEnd()

    # ---- node work ----------------------------------------------------------------------

    def start_case(self, activation: Any, case_id: int) -> Any:
        activation.process.case_id = case_id
        return activation.process

    def expire_suspension_now(self, activation: Any) -> None:
        case = self.case_of(activation)
        with hooks.case_changed.handled_by_caller():  # the flow moves on from this node
            activation.case = case_services.case_expire_suspension(
                case=case, as_of=timezone.localdate()
            )

    def clock_due_at(self, activation: Any) -> dt.datetime:
        case = self.case_of(activation)
        day = case.clock_due or timezone.localdate()
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    # ---- routing: the case status decides the next node ------------------------------------

    def route(self, activation: Any) -> Any:
        case = self.case_of(activation, fresh=True)
        status = case.status
        if activation.flow_task is self.appeal_review and self._main_path_open(activation):
            return None  # a side step: the main path's open task follows the case
        if status in CLOSED:
            return self.end
        if self.route_taken(activation) is Route.TALK:
            return self.talk
        if status in SEARCH:
            return self.outreach
        if status == CaseStatus.INQUIRY:
            return self._inquiry_step(activation, case)
        if status == CaseStatus.LOCATED:
            return self.assess_cause
        if status in (CaseStatus.NOT_LOCATED, CaseStatus.PROPOSAL):
            return self.propose
        if status == CaseStatus.DEFENCE:
            return self.defence if self._notified(case) else self.notice
        if status == CaseStatus.IN_FORCE:
            return self._in_force_step(activation, case)
        return {
            CaseStatus.PRE_REVIEW: self.pre_review,
            CaseStatus.MEETING: self.meeting,
            CaseStatus.APPROVAL: self.approval,
        }[CaseStatus(status)]

    def _inquiry_step(self, activation: Any, case: Case) -> Any:
        if not Inquiry.objects.filter(case_id=case.pk).exists():
            return self.request_inquiries
        if unassessed_clues(case):
            return self.assess_clues
        if activation.flow_task is self.wait_inquiries or inquiry_wait_over(case):
            return self.conclude_search
        return self.wait_inquiries

    def _in_force_step(self, activation: Any, case: Case) -> Any:
        if case.clock_kind == ClockKind.CORRECTION:
            if case.clock_due is None:  # the period runs from service: serve first
                return self.serve_decision
            due = activation.flow_task is self.correction_wait
            return self.correction_review if due else self.correction_wait
        if case.clock_kind == ClockKind.SUSPENSION:
            return self.restoration
        if self._persuaded(case):  # 劝退: did the member withdraw?
            return self.persuasion_outcome
        return self.close

    # ---- helpers ------------------------------------------------------------------------

    def route_taken(self, activation: Any) -> Route:
        """The named route the finished task took (Route.NEXT for every other node)."""
        return Route((activation.task.data or {}).get("route") or Route.NEXT)

    def case_of(self, activation: Any, fresh: bool = False) -> Case:
        """The case of the activation's process; the copy a service just returned if any."""
        case = getattr(activation, "case", None)
        if case is None or (fresh and not getattr(activation, "case_is_fresh", False)):
            case = Case.objects.select_related("member", "organisation").get(
                pk=activation.process.case_id
            )
            activation.case, activation.case_is_fresh = case, True
        return case

    def previous_owner_id(self, activation: Any, node: Any) -> int | None:
        """Who did the step last time (for tasks without the carried `done_by`); the task is
        pre-assigned to them only if they still hold its seat (nodes.CaseStepActivation)."""
        previous = activation.process and getattr(activation, "reuse_owner", True)
        if not previous:
            return None
        return (
            TaskDue.objects.filter(
                case_id=activation.process.case_id, node=node.name, state=TaskState.DONE
            )
            .order_by("-finished_at")
            .values_list("owner_id", flat=True)
            .first()
        )

    def _main_path_open(self, activation: Any) -> bool:
        """Whether the process has an open task besides the finished `activation`'s."""
        return (
            activation.flow_class.task_class.objects.filter(process_id=activation.process.pk)
            .exclude(status__in=FINISHED)
            .exclude(pk=activation.task.pk)
            .exists()
        )

    def _persuaded(self, case: Case) -> bool:
        if case.current_proposal_id is None:
            return False
        return str(current_proposal(case).kind) == ProposalKind.PERSUADE  # the service's copy

    def _notified(self, case: Case) -> bool:
        return Proposal.objects.filter(
            pk=case.current_proposal_id or 0, notified_on__isnull=False
        ).exists()
