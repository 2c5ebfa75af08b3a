"""The API's JSON parser: DRF's, plus the limits of integrations.json_limits (nesting depth,
no NUL characters). Anything refused is a 400 problem, never a server error."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from integrations.json_limits import JsonRefused, check_json

MESSAGES = {
    "depth": _("JSON 嵌套层级过深。"),
    "nul": _("请求中不能包含 NUL 字符。"),
}


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
            check_json(data)
        except RecursionError:
            raise ParseError(MESSAGES["depth"]) from None
        except JsonRefused as exc:
            raise ParseError(MESSAGES[exc.reason]) from None
        return data
