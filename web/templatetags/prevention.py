"""Template helpers for the member panel (choices it needs wherever it is included)."""

from __future__ import annotations

from typing import Any

from django import template

from casework.models import ContactChannel, ContactOutcome

register = template.Library()


@register.simple_tag
def contact_channels() -> list[tuple[str, Any]]:
    return list(ContactChannel.choices)


@register.simple_tag
def contact_outcomes() -> list[tuple[str, Any]]:
    return list(ContactOutcome.choices)
