"""Fixtures for flow tests: no PDF rendering (numbering still happens), a started case."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_pdf_render(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)


@pytest.fixture(autouse=True)
def _routes_stay_where_the_steps_table_says(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every completion of a human step in these tests leads to a node its declared route
    names (workflows/case/steps.py): the table's routes are the flow's truth."""
    from viewflow.workflow.status import STATUS

    from workflows.case.flows import CaseFlow
    from workflows.case.nodes import CaseStep

    route = CaseFlow.route

    def checked(self, activation):
        node = route(self, activation)
        if node is None:  # a side step done while the main path has its open task
            assert activation.flow_task.step.side, activation.flow_task.name
            return node
        if isinstance(activation.flow_task, CaseStep) and activation.task.status == STATUS.DONE:
            taken = self.route_taken(activation)
            allowed = activation.flow_task.step.routes.get(taken, ())
            assert node.name in allowed, (activation.flow_task.name, taken, node.name)
        return node

    monkeypatch.setattr(CaseFlow, "route", checked)
