"""The steps table (workflows/case/steps.py) is what the flow, the task page, the API and the
approval queue read: each human step is one node, served by the one generic view, with its
declared routes leading to nodes that exist."""

from __future__ import annotations

from casework.models import CaseStatus
from web.api.steps import step_payload_schemas
from workflows.case.flows import CaseFlow
from workflows.case.nodes import CaseStep
from workflows.case.steps import REVIEW_STEPS, STEPS, Route
from workflows.case.views import StepView
from workflows.invariants import node_statuses
from workflows.selectors import APPROVAL_NODES


def test_every_step_is_one_node_of_the_flow_served_by_the_generic_view() -> None:
    nodes = {node.name: node for node in CaseFlow.instance.nodes()}
    for step in STEPS:
        node = nodes[step.name]
        assert isinstance(node, CaseStep) and node.step is step
        assert node._view.view_class is StepView
        assert str(node.task_title) == str(step.title)
    human = {name for name, node in nodes.items() if isinstance(node, CaseStep)}
    assert human == {step.name for step in STEPS}


def test_every_route_leads_to_nodes_of_the_flow_and_statuses_are_case_statuses() -> None:
    names = {node.name for node in CaseFlow.instance.nodes()}
    for step in STEPS:
        assert Route.NEXT in step.routes, step.name
        for targets in step.routes.values():
            assert set(targets) <= names, step.name
        assert step.statuses <= set(CaseStatus.values), step.name
        assert node_statuses()[step.name] == step.statuses
    assert node_statuses()["restoration__timeout"] == node_statuses()["restoration"]


def test_the_approval_queue_and_the_api_schema_come_from_the_table() -> None:
    assert set(APPROVAL_NODES) == set(REVIEW_STEPS) == {"pre_review", "approval", "appeal_review"}
    schemas = step_payload_schemas()
    assert {f"TaskPayload_{step.name}" for step in STEPS} <= set(schemas)
