"""Template helpers for the member panel (choices it needs wherever it is included)."""

from __future__ import annotations

from django import template

from casework.models import ContactChannel, ContactOutcome

register = template.Library()


@register.simple_tag
def contact_channels() -> list[tuple[str, str]]:
    return list(ContactChannel.choices)


@register.simple_tag
def contact_outcomes() -> list[tuple[str, str]]:
    return list(ContactOutcome.choices)
