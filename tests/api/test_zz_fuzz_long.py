import pytest
import tests.api.test_schemathesis as ts
from tests.api.test_schemathesis import keep_test_connection, test_every_operation_survives_fuzzing_and_matches_its_schema  # noqa: F401

@pytest.fixture(autouse=True)
def long_budget(monkeypatch):
    monkeypatch.setattr(ts, "TIME_BUDGET_SECONDS", 1500)
