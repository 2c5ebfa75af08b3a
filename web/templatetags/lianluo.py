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
