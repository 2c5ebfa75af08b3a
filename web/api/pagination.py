"""Cursor pagination: stable under inserts, constant cost per page on large lists.

A cursor outside the schema's alphabet is a 400 (web.api.strict); one that is well formed but
does not decode, or whose position does not fit the list's ordering field (a forged `p=2027`
on a date-ordered list), is a 422 problem (code `refused`) on the `cursor` parameter — never a
server error, never a 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Field, Model
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor as CursorPosition
from rest_framework.pagination import CursorPagination

from web.api.errors import REFUSED

INVALID_CURSOR = _("分页游标无效，请从第一页重新开始。")
INVALID_PAGE_SIZE = _("每页条数须为 1 至 200 之间的整数。")


def _field(model: type[Model], path: str) -> Field[Any, Any] | None:
    """The model field an ordering like "-member__name" sorts by (None if not a plain field)."""
    field: Any = None
    for part in path.lstrip("-").split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if field.is_relation:
            if field.related_model is None:
                return None
            model = field.related_model
    return field if isinstance(field, Field) else None


class Cursor(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering: tuple[str, ...] = ("-id",)

    def get_page_size(self, request: Any) -> int:
        """`page_size` as the schema says: an integer from 1 to max_page_size (400 otherwise,
        instead of silently falling back to the default)."""
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        raw = values[-1]
        number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else 0
        if len(values) != 1 or not 1 <= number <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [INVALID_PAGE_SIZE]})
        return number

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
        return parameters

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Any) -> CursorPosition | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError(
                {self.cursor_query_param: [INVALID_CURSOR]}, code=REFUSED
            ) from None
        if cursor is not None and cursor.position is not None:
            self._check_position(str(cursor.position))
        return cursor

    def _check_position(self, position: str) -> None:
        invalid = ValidationError({self.cursor_query_param: [INVALID_CURSOR]}, code=REFUSED)
        if "\x00" in position or len(position) > 200:
            raise invalid
        ordering = self.ordering[0] if self.ordering else ""
        field = _field(self._model, ordering) if ordering else None
        if field is None:
            return
        try:
            value = field.to_python(position)
            field.run_validators(value)
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            raise invalid from None
