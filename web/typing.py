"""Typed requests for views behind a login, and typed access to a form's own fields.

Past `LoginRequiredMixin` / `login_required` (HTML) or `IsAuthenticated` (API) the request's
user is a real account, never `AnonymousUser`; annotating the view's `request` with these
aliases lets it pass `request.user` as a service's `actor` without a cast or an ignore. They
are annotations only: no request is ever built from these classes.

`form.fields` is typed as plain `Field`s; `choice_field` / `model_choice_field` return the
form's own copy of a field as what it is, so a form can set its choices or queryset per request.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.http import HttpRequest
from rest_framework.request import Request


class AuthedRequest(HttpRequest):
    """An HTML view's request once the login check has passed."""

    user: User


class AuthedApiRequest(Request):
    """An API view's request once authentication and `IsAuthenticated` have passed."""

    user: User


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's own copy of the choice field `name`."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a choice field")
    return field


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's own copy of the model-choice field `name` (single or multiple)."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a model-choice field")
    return field
