import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from casework.policy import add_months, rules_by_code, rules_for


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (dt.date(2017, 6, 21), "2016"),
        (dt.date(2019, 5, 5), "2016"),
        (dt.date(2019, 5, 6), "2019"),
        (dt.date(2024, 1, 1), "2019"),
        (dt.date(2024, 8, 28), "2019"),
        (dt.date(2024, 8, 29), "2024"),
    ],
)
def test_the_rule_set_in_force_is_chosen_by_effective_date(day: dt.date, code: str) -> None:
    assert rules_for(day).code == code


def test_2024_rules_default_correction_to_six_months_and_bar_rejoining_for_five_years() -> None:
    rules = rules_for(dt.date(2026, 11, 26))
    assert (rules.correction_default_months, rules.correction_max_months) == (6, 12)
    assert rules.rejoin_bar_years == 5
    assert rules.lost_after_months == 6 and rules.suspension_limit_months == 24


def test_overrides_apply_and_unknown_ones_fail_loudly(settings) -> None:
    settings.LIANLUO_POLICY_OVERRIDES = {"lost_after_months": 5}
    assert rules_for(dt.date(2026, 1, 1)).lost_after_months == 5
    assert rules_by_code("2019").lost_after_months == 6  # a stored code: as published
    settings.LIANLUO_POLICY_OVERRIDES = {"nonsense": 1}
    with pytest.raises(ImproperlyConfigured):
        rules_for(dt.date(2026, 1, 1))


def test_month_arithmetic_clamps_to_the_end_of_the_month() -> None:
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 11, 26), -6) == dt.date(2026, 5, 26)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)


@pytest.mark.django_db
def test_a_case_keeps_the_overrides_in_force_when_it_opened(world, settings) -> None:
    """Bug 4 of issue 16: overrides changed later do not rewrite an open case's rules."""
    from casework.policy import rules_of_case
    from casework.services import cases as svc
    from tests.factories import make_member

    settings.LIANLUO_POLICY_OVERRIDES = {"defence_days": 10, "suspension_limit_months": 18}
    case = svc.case_open(member=make_member(world.branch), actor=world.officer)
    settings.LIANLUO_POLICY_OVERRIDES = {"defence_days": 3}
    case.refresh_from_db()
    rules = rules_of_case(case)
    assert (rules.defence_days, rules.suspension_limit_months) == (10, 18)
    later = svc.case_open(member=make_member(world.branch), actor=world.officer)
    assert rules_of_case(later).defence_days == 3
    assert rules_of_case(later).suspension_limit_months == 24
