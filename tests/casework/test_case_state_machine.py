"""Random allowed and forbidden actions by random roles; invariants checked after every step.

Cases run in their flow: an action that is a flow step goes through the open task
(`workflows.services.task_complete`, claimed first by the acting user), like the task views;
anything else (withdrawal, inquiries, a step with no matching open task) calls the casework
service directly, and the flow follows the case (`casework.hooks.case_changed`).
"""

import contextlib
import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from casework.errors import DomainError
from casework.models import (
    CLOSED_STATUSES,
    AuditEvent,
    Case,
    Decision,
    Inquiry,
    Member,
    TimelineEntry,
)
from casework.services import cases as svc
from casework.services import inquiries as inq
from casework.services.ledgers import contact_attempt_record
from tests.casework.case_helpers import make_department, talkers
from tests.factories import make_member
from workflows import services
from workflows.invariants import open_tasks_match_status
from workflows.models import CaseProcess, TaskDue

ROLES = ["officer", "secretary", "approver", "approver2", "coordinator", "inspector", "outsider"]
FAR = timezone.localdate() + dt.timedelta(days=3000)


def _actions(world, department, talk):
    today = timezone.localdate()

    def settle(case, actor):
        for inquiry in Inquiry.objects.filter(case=case):
            for step in (
                lambda i: inq.inquiry_sign(inquiry=i, actor=actor),
                lambda i: inq.inquiry_mark_sent(inquiry=i, actor=actor),
                lambda i: inq.inquiry_record_answer(
                    inquiry=i, actor=actor, answer="not_found", details={}, source="manual"
                ),
            ):
                with contextlib.suppress(DomainError):
                    inquiry = step(inquiry)

    def attempts(case, actor):
        for channel in ("phone", "relative", "home_visit"):
            contact_attempt_record(
                member=case.member, actor=actor, channel=channel, outcome="no_answer", case=case
            )

    return {
        "start_outreach": lambda c, a, d: svc.case_start_outreach(case=c, actor=a),
        "attempts": lambda c, a, d: attempts(c, a),
        "finish_outreach": lambda c, a, d: svc.case_finish_outreach(case=c, actor=a),
        "request": lambda c, a, d: inq.inquiry_request(case=c, departments=[department], actor=a),
        "settle": lambda c, a, d: settle(c, a),
        "located": lambda c, a, d: svc.case_mark_located(
            case=c, actor=a, talkers=talk, held_on=today, content="谈话"
        ),
        "not_located": lambda c, a, d: svc.case_mark_not_located(case=c, actor=a),
        "assess": lambda c, a, d: svc.case_assess_cause(
            case=c,
            actor=a,
            cause=d.draw(st.sampled_from(["objective", "subjective", "unfit", "asks_to_leave"])),
        ),
        "propose": lambda c, a, d: svc.case_propose(
            case=c,
            actor=a,
            kind=d.draw(
                st.sampled_from(
                    [
                        "correction",
                        "persuade",
                        "remove",
                        "suspend",
                        "annul_probation",
                        "withdrawal",
                        "restore",
                    ]
                )
            ),
            grounds=d.draw(st.sampled_from([[], ["slack_work"], ["self_withdrawal"]])),
        ),
        "pre_review": lambda c, a, d: svc.case_pre_review(case=c, actor=a),
        "notify": lambda c, a, d: svc.case_notify_member(case=c, actor=a, notified_on=today),
        "defence": lambda c, a, d: svc.case_close_defence(case=c, actor=a, defence_text="无"),
        "meeting": lambda c, a, d: svc.case_record_meeting(
            case=c,
            actor=a,
            held_on=today,
            voting_members=9,
            present=d.draw(st.integers(3, 9)),
            votes_for=d.draw(st.integers(0, 3)) + 3,
            votes_against=0,
            abstentions=0,
        ),
        "approve": lambda c, a, d: svc.case_approve(case=c, actor=a),
        "close": lambda c, a, d: svc.case_close(case=c, actor=a),
        "review": lambda c, a, d: svc.case_review_correction(
            case=c, actor=a, corrected=d.draw(st.booleans()), as_of=FAR
        ),
        "expire": lambda c, a, d: svc.case_expire_suspension(case=c, as_of=FAR, actor=a),
        "restore_apply": lambda c, a, d: svc.case_apply_for_restoration(
            case=c, actor=a, applied_on=today, application="申请"
        ),
        "reached": lambda c, a, d: c,
        "found": lambda c, a, d: c,
        "withdraw": lambda c, a, d: svc.case_withdraw(
            case=c, actor=a, reason_code="opened_in_error", reason="误"
        ),
        "send_back": lambda c, a, d: svc.case_send_back(case=c, actor=a, comment="退回"),
    }


# Which open task an action completes, and the route hint it gives (as the task views do).
FLOW_STEPS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "finish_outreach": (("outreach",), None),
    "reached": (("outreach",), "talk"),
    "request": (("request_inquiries",), None),
    "located": (("talk",), None),
    "not_located": (("conclude_search",), None),
    "found": (("conclude_search",), "talk"),
    "assess": (("assess_cause",), None),
    "propose": (("propose",), None),
    "pre_review": (("pre_review",), None),
    "notify": (("notice",), None),
    "defence": (("defence",), None),
    "meeting": (("meeting",), None),
    "approve": (("approval",), None),
    "close": (("close",), None),
    "review": (("correction_review",), None),
    "restore_apply": (("restoration",), None),
    "send_back": (("pre_review", "meeting", "approval"), None),
}


# What the flow's open step calls for, and who usually does it.
NODE_ACTIONS: dict[str, list[str]] = {
    "outreach": ["reached", "finish_outreach", "request", "withdraw"],
    "request_inquiries": ["request"],
    "wait_inquiries": ["settle"],
    "conclude_search": ["not_located", "found"],
    "talk": ["located"],
    "assess_cause": ["assess"],
    "propose": ["propose"],
    "pre_review": ["pre_review", "send_back"],
    "notice": ["notify"],
    "defence": ["defence"],
    "meeting": ["meeting", "send_back"],
    "approval": ["approve", "send_back", "withdraw"],
    "close": ["close"],
    "correction_wait": ["review"],
    "correction_review": ["review"],
    "restoration": ["restore_apply", "expire"],
    "restoration__timeout": ["expire"],
}
NODE_ROLES: dict[str, list[str]] = {
    "outreach": ["officer"],
    "request_inquiries": ["coordinator"],
    "wait_inquiries": ["coordinator"],
    "conclude_search": ["officer"],
    "talk": ["officer"],
    "assess_cause": ["officer"],
    "propose": ["secretary"],
    "pre_review": ["approver", "coordinator"],
    "notice": ["officer"],
    "defence": ["officer"],
    "meeting": ["secretary"],
    "approval": ["approver", "approver2", "coordinator"],
    "close": ["officer"],
    "correction_wait": ["officer"],
    "correction_review": ["officer"],
    "restoration": ["officer"],
}


def open_nodes(case):
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    return sorted(
        t.flow_task.name
        for t in Task.objects.filter(process__caseprocess__case=case).exclude(
            status__in=[STATUS.DONE, STATUS.CANCELED]
        )
    )


def _as_case(result, case):
    if isinstance(result, Case):
        return result
    return Case.objects.select_related("member", "organisation").get(pk=case.pk)


@pytest.mark.django_db
def test_random_actions_by_random_roles_keep_the_invariants(
    world, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)
    department = make_department(world.department)
    talk = talkers(world)
    members = [make_member(world.branch, name=f"成员{i}") for i in range(2)]
    members.append(make_member(world.branch, name="预备", membership_type="probationary"))
    actions = _actions(world, department, talk)

    class CaseMachine(RuleBasedStateMachine):
        """Each example starts from the same database (its writes are rolled back), so the
        draws that depend on the database replay identically."""

        def __init__(self):
            super().__init__()
            self._example = transaction.atomic()
            self._example.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self._example.__exit__(None, None, None)

        @rule(member=st.sampled_from(members), role=st.sampled_from(ROLES))
        def open_case(self, member, role):
            with (
                contextlib.suppress(DomainError),
                django_capture_on_commit_callbacks(execute=True),
            ):
                svc.case_open(member=Member.objects.get(pk=member.pk), actor=getattr(world, role))

        def _do(self, case, name, actor, data):
            nodes, route = FLOW_STEPS.get(name, ((), None))
            due = TaskDue.objects.filter(
                case=case, node__in=nodes, state__in=["open", "assigned"]
            ).first()
            with contextlib.suppress(DomainError):
                if due is None:
                    actions[name](case, actor, data)
                    if name == "settle":  # what the inquiry hooks do after commit
                        services.inquiry_wait_resume(case_id=case.pk)
                    return
                if due.owner_id is None:
                    services.task_claim(task_id=due.task_id, user=actor)
                elif due.owner_id != actor.pk and data.draw(st.booleans()):
                    actor = due.owner  # the holder acts (else: refused, not the holder)
                services.task_complete(
                    task_id=due.task_id,
                    user=actor,
                    perform=lambda c: _as_case(actions[name](c, actor, data), c),
                    route=route,
                    step="send_back" if name == "send_back" else ("none" if route else None),
                )

        @rule(
            name=st.sampled_from(sorted(actions)),
            role=st.sampled_from(ROLES),
            pick=st.integers(0, 10),
            data=st.data(),
        )
        def act(self, name, role, pick, data):
            """Any action by anyone on any case: mostly refused."""
            cases = list(Case.objects.order_by("id"))
            if cases:
                self._do(cases[pick % len(cases)], name, getattr(world, role), data)

        @rule(pick=st.integers(0, 10), data=st.data())
        def advance(self, pick, data):
            """The step the case's flow waits for, usually by someone holding its role."""
            cases = list(Case.objects.exclude(status__in=CLOSED_STATUSES).order_by("id"))
            if not cases:
                return
            case = cases[pick % len(cases)]
            nodes = open_nodes(case)
            if not nodes:
                return
            name = data.draw(st.sampled_from(NODE_ACTIONS[nodes[0]]))
            if name == "finish_outreach" and data.draw(st.booleans()):
                self._do(case, "attempts", world.officer, data)
            roles = NODE_ROLES.get(nodes[0], ROLES)
            role = data.draw(st.sampled_from([*roles, *roles, *ROLES]))
            self._do(case, name, getattr(world, role), data)

        @invariant()
        def at_most_one_open_case_per_member(self):
            assert not (
                Case.objects.exclude(status__in=CLOSED_STATUSES)
                .values("member")
                .annotate(n=Count("id"))
                .filter(n__gt=1)
                .exists()
            )

        @invariant()
        def decisions_are_approved_by_someone_else(self):
            for decision in Decision.objects.select_related("proposal"):
                assert decision.proposal.status in ("approved",)
                assert decision.approved_by_id != decision.proposal.proposed_by_id
                assert TimelineEntry.objects.filter(
                    case=decision.case_id, action="case.approve", details__decision=decision.pk
                ).exists()

        @invariant()
        def member_status_matches_the_last_decision(self):
            for member in Member.objects.filter(decisions__isnull=False).distinct():
                last = member.decisions.order_by("-in_force_at", "-id").first()
                assert last is not None
                assert member.status == last.member_status_after

        @invariant()
        def the_flows_open_tasks_match_the_case_status(self):
            for case_id in CaseProcess.objects.values_list("case_id", flat=True):
                assert open_tasks_match_status(case_id), (
                    case_id,
                    Case.objects.get(pk=case_id).status,
                    list(TaskDue.objects.filter(case_id=case_id).values_list("node", "state")),
                )

        @invariant()
        def every_case_runs_in_a_flow(self):
            assert (
                not Case.objects.exclude(status__in=CLOSED_STATUSES)
                .filter(process__isnull=True)
                .exists()
            )

        @invariant()
        def every_step_has_an_audit_event(self):
            steps = TimelineEntry.objects.count()
            audited = AuditEvent.objects.filter(
                Q(action__startswith="case.") | Q(action__startswith="inquiry.")
            ).count()
            assert steps == audited

    run_state_machine_as_test(
        CaseMachine,
        settings=settings(
            max_examples=14,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
