"""Small template helpers for the screens."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def dash(value: Any) -> Any:
    """None → “—” (a figure that does not apply or is not available)."""
    return "—" if value is None else value


@register.simple_tag
def delta(current: float | None, previous: float | None) -> str:
    """“▲3” / “▼2” / “＝” against the previous period (text, so it does not rely on colour)."""
    if current is None or previous is None:
        return ""
    diff = round(current - previous, 2)
    if diff > 0:
        return _("▲%(d)s") % {"d": f"{diff:g}"}
    if diff < 0:
        return _("▼%(d)s") % {"d": f"{-diff:g}"}
    return _("＝")


@register.filter
def key_group_labels(bits: int) -> str:
    from casework.models import KeyGroup

    return "、".join(str(g.label)[:4] for g in KeyGroup if bits & g.value)


# ---- a step's page: what is decided, the outreach so far, and Material form fields ----------


@register.simple_tag
def proposal_for(case: Any) -> Any:
    """The case's current proposal with its vote and pre-reviews (None without one)."""
    from casework.selectors.step_facts import proposal_for_case

    return proposal_for_case(case)


@register.simple_tag
def outreach_for(case: Any) -> Any:
    """The case's contact attempts and what the outreach minimum still needs."""
    from casework.selectors.step_facts import outreach_progress

    return outreach_progress(case)


@register.simple_tag(takes_context=True)
def may_reveal(context: Any, member: Any) -> bool:
    """Whether the signed-in user may reveal (and call) the member's phone."""
    from casework.access import may_reveal_member

    return may_reveal_member(context["request"].user, member)


@register.filter
def material_input(field: Any) -> Any:
    """The field's own widget with the Material text-field input class (see
    web/includes/field.html); date inputs become the browser's date picker."""
    from copy import copy

    from django import forms

    widget = field.field.widget
    attrs = {"class": "mdc-text-field__input"}
    if field.errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.auto_id}-error"
    if isinstance(widget, forms.DateInput) and widget.input_type == "text":
        widget = copy(widget)
        widget.input_type, widget.format = "date", "%Y-%m-%d"
    if isinstance(widget, forms.NumberInput):
        attrs["inputmode"] = "numeric"
    return field.as_widget(widget=widget, attrs=attrs)


@register.filter
def masked(value: Any, kind: str) -> str:
    """Personal data masked as on every screen (`{{ member.phone|masked:"phone" }}`)."""
    from casework.member_data import mask_value

    return str(mask_value(kind, value) or "") if value else ""


@register.filter
def menu_shown_to(app: Any, user: Any) -> bool:
    """Whether the site menu lists `app` for `user` (its optional `menu_shown_to(user)`)."""
    shown = getattr(app, "menu_shown_to", None)
    return True if shown is None else bool(shown(user))
