"""Shared pieces of the API views: validated query filters and the write-role check."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

from casework.access import WRITE_ROLES, has_role_over
from casework.errors import PermissionDenied
from casework.models import Organisation


def query_filters(serializer_class: type[serializers.Serializer[Any]], request: Request) -> Any:
    """The list's query parameters validated by a serializer (400 with field errors)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def require_writer(user: Any, organisation: Organisation) -> None:
    """The same rule as the UI: a write role over the organisation (inspectors are read-only)."""
    if not has_role_over(user, organisation, WRITE_ROLES):
        raise PermissionDenied(_("您无权执行此操作（只读权限）。"))


class Ordering(OrderingFilter):
    """`?ordering=field` or `-field` among the view's `ordering_fields`; ties broken by id."""

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> Any:
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not any(field.lstrip("-") == "id" for field in ordering):
            ordering = [*ordering, "-id" if ordering[0].startswith("-") else "id"]
        return ordering
