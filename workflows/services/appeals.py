"""An appeal (申诉) in the case flow: received, it becomes a task in the queue of the organ
above the one that decided (the side step `appeal_review`, workflows/case/steps.py), which
decides it through `task_complete` like any step.

`appeal_file` is the one path for the case page and the API: under the process lock and in
one transaction it records the appeal (casework `case_file_appeal`), issues the
acknowledgement (申诉受理通知) and opens the review task beside the main path's task. A case
that had closed on the decision has its process opened again for that task (it ends again
when the task is done, or goes on if the decision is revoked).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS

from casework.errors import Conflict
from casework.models import Appeal, Case
from casework.services import cases as svc
from casework.transactions import one_transaction
from documents.kinds import DocumentKind as K
from workflows.case.documents import issue_step_documents
from workflows.models import CaseProcess
from workflows.services.processes import busy, case_flow


def appeal_file(
    *, case: Case, actor: AbstractBaseUser, grounds: str, received_on: dt.date
) -> Appeal:
    """Receive the member's appeal against the decision in force and put it in the queue of
    the organ above: the appeal row, its acknowledgement and the review task, or nothing."""
    process = CaseProcess.objects.filter(case_id=case.pk).first()
    if process is None:
        raise Conflict(_("本案尚未进入办理流程，不能受理申诉。"), code="no_process")
    flow_class = case_flow()
    try:
        with flow_class.lock(process.pk), one_transaction():
            appeal = svc.case_file_appeal(
                case=case, actor=actor, grounds=grounds, received_on=received_on
            )
            fresh = Case.objects.select_related("member", "organisation").get(pk=case.pk)
            issue_step_documents(
                issues=[(K.APPEAL_ACKNOWLEDGEMENT, {"received_on": received_on})],
                case=fresh,
                actor=actor,
            )
            _open_review_task(flow_class, process.pk, fresh)
    except FlowLockFailed as exc:
        raise busy() from exc
    return appeal


def _open_review_task(flow_class: object, process_id: int, case: Case) -> None:
    """The `appeal_review` task beside the main path, created after the process's latest
    task (its seat asked of casework: casework.seats.appeal_seat)."""
    last = Task.objects.filter(process_id=process_id).order_by("-pk").first()
    assert last is not None  # a started process has its start task at least
    previous = last.flow_task.activation_class(last)
    previous.case, previous.case_is_fresh = case, True
    process = last.process
    if process.status != PROCESS.NEW:  # the case had closed: its process ended (DONE)
        process.status, process.finished = PROCESS.NEW, None
        process.save(update_fields=["status", "finished"])
    node = flow_class.instance.appeal_review  # type: ignore[attr-defined]
    node._create(previous, last.token, data=None)
