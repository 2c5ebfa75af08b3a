"""The template engine of formal documents: strict, so a missing fact is an error, not a blank.

Django's default engine prints "" for a variable it cannot resolve. A document printed with a
hole ("你单位《》（）收悉", "在召开支部大会") is worse than no document, so documents are
rendered by their own engine whose `string_if_invalid` raises `MissingFact` naming the
variable (e.g. "meeting.place"). Facts that may legitimately be absent are tested with
`{% if %}` in the template (an `if` never raises); everything printed with `{{ }}` must exist.
Note: filters do not rescue a missing variable (`{{ x|default:"…" }}` raises too).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template import Context, Engine
from django.utils.translation import gettext_lazy as _

from casework.errors import DomainError

TEMPLATE_DIR = Path(__file__).parent / "templates"


class MissingFact(DomainError):
    """A document cannot be issued or rendered: a fact it prints is missing."""

    code = "document_fact_missing"

    def __init__(self, fact: str, *, kind: str = "") -> None:
        label = kind or _("文书")
        super().__init__(
            _("%(kind)s缺少必要事实“%(fact)s”，不能生成。请补录后再办理。")
            % {"kind": label, "fact": fact}
        )
        self.fact = fact


class _Strict(str):
    """`string_if_invalid`: Django formats it with the variable's name when it contains %s."""

    def __contains__(self, item: object) -> bool:
        return item == "%s"

    def __mod__(self, variable: object) -> str:
        raise MissingFact(str(variable))


_lock = threading.Lock()
_engine: dict[str, Engine] = {}


def document_engine() -> Engine:
    with _lock:
        if "engine" not in _engine:
            loaders: list[Any] = ["django.template.loaders.filesystem.Loader"]
            if not settings.DEBUG:
                loaders = [("django.template.loaders.cached.Loader", loaders)]
            _engine["engine"] = Engine(
                dirs=[str(TEMPLATE_DIR)],
                loaders=loaders,
                string_if_invalid=_Strict("%s"),
                autoescape=True,
                libraries={},
            )
        return _engine["engine"]


def render_document_template(name: str, context: dict[str, Any]) -> str:
    """Render one document template strictly (MissingFact on a missing variable)."""
    return document_engine().get_template(name).render(Context(context, autoescape=True))
