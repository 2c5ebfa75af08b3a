"""Form data for any human step, derived from the step's form (workflows/case/steps.py): one
hypothesis strategy per field type, and deterministic "witness" payloads that try each
choice in turn. Nothing here names a step: a new step with a new form is covered as it is.

Only fields whose valid values depend on one another need a hint (the meeting's vote
counts); every other field is drawn from its own type and allowed choices.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django import forms
from hypothesis import strategies as st

TEXT = "经核实，情况属实。"

# Fields whose valid values depend on each other: drawn together (the meeting's tally).
VOTE_FIELDS = ("voting_members", "present", "votes_for", "votes_against", "abstentions")


@st.composite
def _tally(draw: Any) -> dict[str, int]:
    """A vote tally: any number present and any split of the votes of those present, so
    quorate and not, passed and failed votes all occur."""
    voting = draw(st.integers(3, 15))
    present = draw(st.integers(0, voting))
    votes_for = draw(st.integers(0, present))
    against = draw(st.integers(0, present - votes_for))
    abstain = draw(st.integers(0, present - votes_for - against))
    return dict(zip(VOTE_FIELDS, (voting, present, votes_for, against, abstain), strict=True))


PASSING_TALLY = dict(zip(VOTE_FIELDS, (9, 8, 7, 1, 0), strict=True))


def _values(field: forms.Field) -> list[Any]:
    """The allowed values of a choice field (model choices by primary key), blanks left out."""
    if isinstance(field, forms.ModelChoiceField):
        queryset = field.queryset
        return (
            [] if queryset is None else list(queryset.order_by("pk").values_list("pk", flat=True))
        )
    choices = getattr(field, "choices", ())
    out: list[Any] = []
    for value, label in choices:
        if isinstance(label, list | tuple):  # option groups
            out.extend(v for v, _ in label if v not in ("", None))
        elif value not in ("", None):
            out.append(value)
    return out


def field_strategy(field: forms.Field, today: dt.date) -> st.SearchStrategy[Any]:
    """What a user may type or pick in one field (the form still validates it)."""
    if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
        values = _values(field)
        if not values:
            return st.just([])
        low = 1 if field.required else 0
        return st.lists(st.sampled_from(values), min_size=low, max_size=3, unique=True)
    if isinstance(field, forms.ModelChoiceField | forms.ChoiceField):
        values = _values(field)
        if not values:
            return st.just("")
        return st.sampled_from(values)
    if isinstance(field, forms.DateField):
        return st.sampled_from([today, today, today - dt.timedelta(days=1)])
    if isinstance(field, forms.IntegerField):
        low = field.min_value if field.min_value is not None else 0
        return st.integers(int(low), int(low) + 12)
    if isinstance(field, forms.BooleanField):
        return st.booleans()
    if isinstance(field, forms.CharField) and not field.required:
        return st.sampled_from(["", TEXT])
    return st.just(TEXT)


def payload_strategy(form: forms.Form, today: dt.date) -> st.SearchStrategy[dict[str, Any]]:
    """A payload for the whole form: each field from its own strategy, tied fields together."""
    names = list(form.fields)
    tied = [n for n in VOTE_FIELDS if n in names]
    singles = {name: field_strategy(form.fields[name], today) for name in names if name not in tied}
    if not tied:
        return st.fixed_dictionaries(singles)
    return st.tuples(st.fixed_dictionaries(singles), _tally()).map(
        lambda pair: {**pair[0], **{k: v for k, v in pair[1].items() if k in tied}}
    )


def _witness_value(field: forms.Field, i: int, offset: int, today: dt.date) -> Any:
    if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
        values = _values(field)
        return [values[(i + offset) % len(values)]] if values else []
    if isinstance(field, forms.ModelChoiceField | forms.ChoiceField):
        values = _values(field)
        return values[(i + offset) % len(values)] if values else ""
    if isinstance(field, forms.DateField):
        return today
    if isinstance(field, forms.IntegerField):
        low = int(field.min_value) if field.min_value is not None else 0
        return max(low, 1)
    if isinstance(field, forms.BooleanField):
        return bool(i % 2)
    return TEXT


def witness_payloads(form: forms.Form, today: dt.date) -> Iterator[dict[str, Any]]:
    """Deterministic payloads that try every choice of every choice field in turn (the i-th
    payload takes each field's i-th choice, shifted per field so that two fields over the same
    list pick different items): if none is accepted for any holder of the seat, the task is
    stuck."""
    fields = list(form.fields.items())
    widest = max([len(_values(f)) for _, f in fields if isinstance(f, forms.ChoiceField)] or [1])
    for i in range(min(widest, 12)):
        payload = {
            name: _witness_value(field, i, offset, today)
            for offset, (name, field) in enumerate(fields)
        }
        payload.update({k: v for k, v in PASSING_TALLY.items() if k in form.fields})
        yield payload
