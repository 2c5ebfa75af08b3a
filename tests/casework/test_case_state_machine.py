"""Random allowed and forbidden actions by random roles; invariants checked after every step.

Cases run in their flow: `advance` completes the case's open task through its form
(`workflows.services.task_complete_with_data`, claimed first by the acting user, usually one
holding the task's seat), like the task page and the API; `act` calls any casework service
directly, by anyone, and the flow follows the case (`casework.hooks.case_changed`). The form
data per step is keyed by the flow's steps table.
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
    RoleAssignment,
    TimelineEntry,
)
from casework.services import cases as svc
from casework.services import inquiries as inq
from casework.services.ledgers import contact_attempt_record
from tests.casework.case_helpers import make_department, talkers
from tests.factories import make_member
from workflows import services
from workflows.case.steps import STEP_BY_NAME
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
        "notify": lambda c, a, d: svc.case_notify_member(
            case=c, actor=a, notified_on=today, how="family"
        ),
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


def _step_data(world, department, talk):
    """What a user fills in on each human step's form: one hypothesis strategy per step of
    the flow's steps table (workflows/case/steps.py), keyed by its name."""
    today = timezone.localdate()
    decision = st.sampled_from(["agree", "agree", "send_back"])

    def clue(case):
        from casework.caserules import unassessed_clues

        ids = unassessed_clues(case) or list(case.inquiries.values_list("pk", flat=True)) or [0]
        return st.fixed_dictionaries(
            {
                "inquiry": st.sampled_from(ids),
                "result": st.sampled_from(["confirmed", "no_result"]),
                "notes": st.just("已核查"),
            }
        )

    return {
        "outreach": lambda c: st.fixed_dictionaries(
            {
                "action": st.sampled_from(["record", "located", "not_reachable"]),
                "channel": st.sampled_from(["phone", "relative", "home_visit"]),
                "outcome": st.just("no_answer"),
            }
        ),
        "talk": lambda c: st.just(
            {"talker1": talk[0].pk, "talker2": talk[1].pk, "held_on": today, "content": "谈话"}
        ),
        "request_inquiries": lambda c: st.just({"departments": [department.pk]}),
        "assess_clues": clue,
        "conclude_search": lambda c: st.fixed_dictionaries(
            {"conclusion": st.sampled_from(["not_located", "not_located", "located"])}
        ),
        "assess_cause": lambda c: st.fixed_dictionaries(
            {"cause": st.sampled_from(["objective", "subjective", "unfit", "asks_to_leave"])}
        ),
        "propose": lambda c: st.fixed_dictionaries(
            {
                "kind": st.sampled_from(
                    [
                        "correction",
                        "persuade",
                        "remove",
                        "suspend",
                        "annul_probation",
                        "withdrawal",
                        "restore",
                    ]
                ),
                "grounds": st.sampled_from([[], ["slack_work"], ["self_withdrawal"]]),
                "reasons": st.just("研究"),
            }
        ),
        "pre_review": lambda c: st.fixed_dictionaries(
            {"decision": decision, "comment": st.just("意见")}
        ),
        "notice": lambda c: st.just({"notified_on": today, "how": "family"}),
        "defence": lambda c: st.just({"defence_text": "无"}),
        "meeting": lambda c: st.fixed_dictionaries(
            {
                "decision": st.sampled_from(["record", "record", "send_back"]),
                "comment": st.just("退回"),
                "held_on": st.just(today),
                "voting_members": st.just(9),
                "present": st.integers(3, 9),
                "votes_for": st.integers(3, 6),
                "votes_against": st.just(0),
                "abstentions": st.just(0),
            }
        ),
        "approval": lambda c: st.fixed_dictionaries(
            {
                "decision": st.sampled_from(["agree", "agree", "send_back", "refuse"]),
                "then": st.sampled_from(["branch", "close"]),
                "comment": st.just("意见"),
            }
        ),
        "serve_decision": lambda c: st.fixed_dictionaries(
            {"served_on": st.just(today), "how": st.sampled_from(["in_person", "family"])}
        ),
        "persuasion_outcome": lambda c: st.fixed_dictionaries(
            {
                "withdrew": st.sampled_from(["1", "0"]),
                "on": st.just(today),
                "notes": st.just("情况"),
            }
        ),
        "close": lambda c: st.just({"comment": ""}),
        "correction_review": lambda c: st.fixed_dictionaries(
            {"corrected": st.sampled_from(["1", "0"])}
        ),
        "restoration": lambda c: st.just({"applied_on": today, "application": "申请"}),
        "appeal_review": lambda c: st.fixed_dictionaries(
            {"outcome": st.sampled_from(["upheld", "revoked"]), "reason": st.just("复查意见")}
        ),
    }


# What moves the flow's other nodes (waits and timers): done outside the flow, which follows.
WAIT_ACTIONS: dict[str, list[str]] = {
    "wait_inquiries": ["settle"],
    "correction_wait": ["review"],
    "restoration__timeout": ["expire"],
}
ROLE_USERS = {
    "contact_officer": ["officer"],
    "branch_secretary": ["secretary"],
    "committee_approver": ["approver", "approver2"],
    "coordinator": ["coordinator"],
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
    step_data = _step_data(world, department, talk)
    assert set(step_data) == set(STEP_BY_NAME), "one form-data strategy per human step"

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
            """A casework service called outside the flow (the flow follows the case)."""
            with contextlib.suppress(DomainError):
                actions[name](case, actor, data)
                if name == "settle":  # what the inquiry hooks do after commit
                    services.inquiry_wait_resume(case_id=case.pk)

        @rule(
            name=st.sampled_from(sorted(actions)),
            role=st.sampled_from(ROLES),
            pick=st.integers(0, 10),
            data=st.data(),
        )
        def act(self, name, role, pick, data):
            """Any action by anyone on any case, outside the flow: mostly refused."""
            cases = list(Case.objects.order_by("id"))
            if cases:
                self._do(cases[pick % len(cases)], name, getattr(world, role), data)

        @rule(pick=st.integers(0, 10), data=st.data())
        def advance(self, pick, data):
            """The task the case's flow waits for, through its form, usually by a user holding
            its seat (picked by role, never by who did it last); a wait or timer is moved on
            by its outside action."""
            cases = list(Case.objects.exclude(status__in=CLOSED_STATUSES).order_by("id"))
            if not cases:
                return
            case = cases[pick % len(cases)]
            due = TaskDue.objects.filter(case=case, state__in=["open", "assigned"]).first()
            if due is None:
                nodes = open_nodes(case)
                if nodes and nodes[0] in WAIT_ACTIONS:
                    name = data.draw(st.sampled_from(WAIT_ACTIONS[nodes[0]]))
                    self._do(case, name, getattr(world, data.draw(st.sampled_from(ROLES))), data)
                return
            if due.node == "outreach" and data.draw(st.booleans()):
                self._do(case, "attempts", world.officer, data)
            holders = ROLE_USERS.get(due.role, ROLES)
            actor = getattr(world, data.draw(st.sampled_from([*holders, *holders, *ROLES])))
            form_data = data.draw(step_data[due.node](case))
            with contextlib.suppress(DomainError):
                if due.owner_id is None:
                    services.task_claim(task_id=due.task_id, user=actor)
                elif due.owner_id != actor.pk and data.draw(st.booleans()):
                    actor = due.owner  # the holder acts (else: refused, not the holder)
                services.task_complete_with_data(task_id=due.task_id, user=actor, data=form_data)

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
                if decision.kind == "withdrawal":  # 退党: the meeting's resolution, filed
                    action = "case.record_meeting"
                else:
                    action = "case.approve"
                    assert decision.approved_by_id != decision.proposal.proposed_by_id
                assert TimelineEntry.objects.filter(
                    case=decision.case_id, action=action, details__decision=decision.pk
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
        def every_open_task_has_someone_holding_its_seat(self):
            for due in TaskDue.objects.filter(state__in=["open", "assigned"]):
                ids = [int(p) for p in due.role_path.strip("/").split("/") if p]
                assert RoleAssignment.objects.filter(
                    role=due.role, organisation_id__in=ids, is_active=True
                ).exists(), (due.node, due.role)
                if due.owner_id is not None:
                    assert RoleAssignment.objects.filter(
                        user_id=due.owner_id, role=due.role, organisation_id__in=ids
                    ).exists(), (due.node, due.owner_id)

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
