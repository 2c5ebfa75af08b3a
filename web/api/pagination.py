"""Cursor pagination: stable under inserts, constant cost per page on large lists.

A cursor that does not decode, or whose position does not fit the list's ordering field (a
forged `p=2027` on a date-ordered list), is a 400 problem on the `cursor` parameter — never
a server error, never a 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Field, Model
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor as CursorPosition
from rest_framework.pagination import CursorPagination

INVALID_CURSOR = _("分页游标无效，请从第一页重新开始。")


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

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Any) -> CursorPosition | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None
        if cursor is not None and cursor.position is not None:
            self._check_position(str(cursor.position))
        return cursor

    def _check_position(self, position: str) -> None:
        invalid = ValidationError({self.cursor_query_param: [INVALID_CURSOR]})
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
