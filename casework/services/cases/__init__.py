"""The lost-contact case: one function per transition, by phase of the case.

- `opening`: case_open
- `search`: outreach, located (with the talk), not located, the cause assessed
- `decision`: proposal, pre-review, notice and defence, the branch general meeting
- `approval`: named approvers, the approval (decision in force), closing
- `clocks`: the correction review, the suspension limit, restoration
- `returns`: withdrawal, send back
- `appeals`: an appeal against the decision in force, received and decided

Every function is keyword-only, runs in one transaction, locks the Case row, fires one
django-fsm-2 transition on `Case.status`, writes one timeline entry and one audit event (the
`case_transition` block of casework.services.transitions), and raises casework.errors with
Chinese messages. Flow steps, task views, the API, Celery tasks and commands call these;
none re-implements a transition. `from casework.services import cases as svc` reaches them
all.
"""

from casework.seats import (
    appeal_seat,
    approval_seat,
    approving_organisation,
    organisation_ancestors,
    organisation_department,
)
from casework.services.cases.appeals import case_decide_appeal, case_file_appeal
from casework.services.cases.approval import (
    case_add_approver,
    case_approve,
    case_close,
    case_record_service,
    case_refuse,
    case_remove_approver,
)
from casework.services.cases.clocks import (
    case_apply_for_restoration,
    case_expire_suspension,
    case_record_persuasion_outcome,
    case_review_correction,
)
from casework.services.cases.decision import (
    case_close_defence,
    case_notify_member,
    case_pre_review,
    case_propose,
    case_record_meeting,
    meeting_outcome,
)
from casework.services.cases.opening import case_open
from casework.services.cases.returns import case_send_back, case_withdraw, step_before
from casework.services.cases.search import (
    case_assess_cause,
    case_finish_outreach,
    case_mark_located,
    case_mark_not_located,
    case_record_outreach_attempt,
    case_start_outreach,
)

__all__ = [
    "appeal_seat",
    "approval_seat",
    "approving_organisation",
    "case_add_approver",
    "case_apply_for_restoration",
    "case_approve",
    "case_assess_cause",
    "case_close",
    "case_close_defence",
    "case_decide_appeal",
    "case_expire_suspension",
    "case_file_appeal",
    "case_finish_outreach",
    "case_mark_located",
    "case_mark_not_located",
    "case_notify_member",
    "case_open",
    "case_pre_review",
    "case_propose",
    "case_record_meeting",
    "case_record_outreach_attempt",
    "case_record_persuasion_outcome",
    "case_record_service",
    "case_refuse",
    "case_remove_approver",
    "case_review_correction",
    "case_send_back",
    "case_start_outreach",
    "case_withdraw",
    "meeting_outcome",
    "organisation_ancestors",
    "organisation_department",
    "step_before",
]
