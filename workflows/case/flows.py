"""The case flow: one process per lost-contact case, one human task per step.

Declarations only. Each human step's form calls one casework service (workflows/case/steps.py);
the case status that service leaves behind decides the next node (`route`, one-line
branches). Timers: the correction deadline (`correction_wait`) and the 24-month suspension
limit (a timeout boundary on `restoration`), fired by `manage.py workflow_timers` from beat.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.lock import select_for_update_lock

from casework.caserules import inquiry_wait_over, unassessed_clues
from casework.models import (
    Case,
    CaseStatus,
    ClockKind,
    Inquiry,
    Organisation,
    PreReview,
    Proposal,
    ProposalKind,
    ReviewLevel,
    Role,
)
from casework.services import cases as case_services
from workflows.case import views
from workflows.case.nodes import CaseFunction, CaseStep, CaseTimer, StartCase, WaitHandle
from workflows.models import CaseProcess, TaskDue, TaskState

SEARCH = (CaseStatus.REGISTERED, CaseStatus.OUTREACH)
CLOSED = (CaseStatus.CLOSED, CaseStatus.WITHDRAWN)


class CaseFlow(flow.Flow):
    process_class = CaseProcess
    lock_impl = select_for_update_lock
    process_title = _("失联党员案件")
    process_description = _("登记、查找、协查、认定、处置、审批与决定后期限")
    summary_template = "{{ process.case }}"

    start = StartCase(this.start_case).Routes(this.outreach)

    outreach = (
        CaseStep(views.OutreachView.as_view(), role=this.branch_officer, due_days=30)
        .Annotation(title=_("联系查找"))
        .Routes(this.talk, this.request_inquiries, this.end)
    )
    talk = (
        CaseStep(views.TalkView.as_view(), role=this.branch_officer, due_days=10)
        .Annotation(title=_("谈话记录"))
        .Routes(this.assess_cause)
    )
    request_inquiries = (
        CaseStep(views.RequestInquiriesView.as_view(), role=this.coordinator, due_days=5)
        .Annotation(title=_("发起部门协查"))
        .Routes(this.wait_inquiries)
    )
    wait_inquiries = (
        WaitHandle()
        .Annotation(title=_("等待部门答复"))
        .Routes(this.assess_clues, this.conclude_search, this.talk)
    )
    assess_clues = (
        CaseStep(views.AssessCluesView.as_view(), role=this.branch_officer, due_days=10)
        .Annotation(title=_("研判线索"))
        .Routes(this.talk, this.wait_inquiries, this.conclude_search)
    )
    conclude_search = (
        CaseStep(views.ConcludeSearchView.as_view(), role=this.branch_officer, due_days=10)
        .Annotation(title=_("查找结论"))
        .Routes(this.talk, this.propose)
    )
    assess_cause = (
        CaseStep(views.AssessCauseView.as_view(), role=this.branch_officer, due_days=10)
        .Annotation(title=_("失联原因认定"))
        .Routes(this.propose, this.approval)
    )
    propose = (
        CaseStep(views.ProposeView.as_view(), role=this.branch_secretary, due_days=15)
        .Annotation(title=_("处置提议"))
        .Routes(this.pre_review)
    )
    pre_review = (
        CaseStep(views.PreReviewView.as_view(), role=this.pre_reviewer, due_days=15)
        .Annotation(title=_("预审"))
        .Routes(this.pre_review, this.notice, this.approval, this.propose)
    )
    notice = (
        CaseStep(views.NoticeView.as_view(), role=this.branch_officer, due_days=5)
        .Annotation(title=_("告知党员本人"))
        .Routes(this.defence, this.pre_review)
    )
    defence = (
        CaseStep(views.DefenceView.as_view(), role=this.branch_officer, due_days=20)
        .Annotation(title=_("申辩"))
        .Routes(this.meeting, this.pre_review)
    )
    meeting = (
        CaseStep(views.MeetingView.as_view(), role=this.branch_secretary, due_days=30)
        .Annotation(title=_("支部大会表决"))
        .Routes(this.approval, this.propose, this.defence)
    )
    approval = (
        CaseStep(views.ApprovalView.as_view(), role=this.approver, due_days=30)
        .Annotation(title=_("党委审批"))
        .Routes(this.close, this.correction_wait, this.restoration, this.meeting, this.propose)
    )
    close = (
        CaseStep(views.CloseView.as_view(), role=this.branch_officer, due_days=15)
        .Annotation(title=_("决定生效与归档"))
        .Routes(this.end)
    )
    correction_wait = (
        CaseTimer(this.clock_due_at)
        .Annotation(title=_("限期改正期"))
        .Routes(this.correction_review)
    )
    correction_review = (
        CaseStep(views.CorrectionReviewView.as_view(), role=this.branch_officer, due_days=15)
        .Annotation(title=_("限期改正期满复核"))
        .Routes(this.end, this.propose)
    )
    restoration = (
        CaseStep(views.RestorationView.as_view(), role=this.branch_officer, due_days=730)
        .Annotation(title=_("停止党籍期间：恢复党籍申请"))
        .OnTimeout(this.clock_due_at, this.expire_suspension, title=_("停止党籍满两年"))
        .Routes(this.propose)
    )
    expire_suspension = (
        CaseFunction(this.expire_suspension_now)
        .Annotation(title=_("停止党籍期满"))
        .Routes(this.propose)
    )
    end = flow.End()

    # ---- node work ----------------------------------------------------------------------

    def start_case(self, activation: Any, case_id: int) -> Any:
        activation.process.case_id = case_id
        return activation.process

    def expire_suspension_now(self, activation: Any) -> None:
        from workflows.services import flow_step

        case = self.case_of(activation)
        with flow_step(case.pk):
            activation.case = case_services.case_expire_suspension(
                case=case, as_of=timezone.localdate()
            )

    def clock_due_at(self, activation: Any) -> dt.datetime:
        case = self.case_of(activation)
        day = case.clock_due or timezone.localdate()
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    # ---- who does a step (role, organisation) ----------------------------------------------

    def branch_officer(self, case: Case) -> tuple[str, Organisation]:
        return Role.CONTACT_OFFICER, case.organisation

    def branch_secretary(self, case: Case) -> tuple[str, Organisation]:
        return Role.BRANCH_SECRETARY, case.organisation

    def coordinator(self, case: Case) -> tuple[str, Organisation]:
        return Role.COORDINATOR, case_services.organisation_department(case.organisation)

    def approver(self, case: Case) -> tuple[str, Organisation]:
        if self._proposal_kind(case) == ProposalKind.RESTORE:
            return self.coordinator(case)
        return Role.COMMITTEE_APPROVER, case_services.approving_organisation(case.organisation)

    def pre_reviewer(self, case: Case) -> tuple[str, Organisation]:
        committee_done = PreReview.objects.filter(
            proposal_id=case.current_proposal_id or 0, level=ReviewLevel.COMMITTEE, is_current=True
        ).exists()
        if committee_done:
            return self.coordinator(case)
        return Role.COMMITTEE_APPROVER, case_services.approving_organisation(case.organisation)

    # ---- routing: the case status decides the next node ------------------------------------

    def route(self, activation: Any) -> Any:
        case = self.case_of(activation, fresh=True)
        status, hint = case.status, activation.task.data.get("route")
        if status in CLOSED:
            return self.end
        if status in SEARCH:
            return self.talk if hint == "talk" else self.outreach
        if status == CaseStatus.INQUIRY:
            return self._inquiry_step(activation, case, hint)
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

    def _inquiry_step(self, activation: Any, case: Case, hint: str | None) -> Any:
        if hint == "talk":
            return self.talk
        if not Inquiry.objects.filter(case_id=case.pk).exists():
            return self.request_inquiries
        if unassessed_clues(case):
            return self.assess_clues
        if activation.flow_task is self.wait_inquiries or inquiry_wait_over(case):
            return self.conclude_search
        return self.wait_inquiries

    def _in_force_step(self, activation: Any, case: Case) -> Any:
        if case.clock_kind == ClockKind.CORRECTION:
            due = activation.flow_task is self.correction_wait
            return self.correction_review if due else self.correction_wait
        if case.clock_kind == ClockKind.SUSPENSION:
            return self.restoration
        return self.close

    # ---- helpers ------------------------------------------------------------------------

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
        """A step sent back (or repeated) goes to whoever did it last time."""
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

    def _proposal_kind(self, case: Case) -> str | None:
        if case.current_proposal_id is None:
            return None
        return Proposal.objects.values_list("kind", flat=True).get(pk=case.current_proposal_id)

    def _notified(self, case: Case) -> bool:
        return Proposal.objects.filter(
            pk=case.current_proposal_id or 0, notified_on__isnull=False
        ).exists()
