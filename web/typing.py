"""Typed requests for views behind a login.

Past `LoginRequiredMixin` / `login_required` (HTML) or `IsAuthenticated` (API) the request's
user is a real account, never `AnonymousUser`; annotating the view's `request` with these
aliases lets it pass `request.user` as a service's `actor` without a cast or an ignore. They
are annotations only: no request is ever built from these classes.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from rest_framework.request import Request


class AuthedRequest(HttpRequest):
    """An HTML view's request once the login check has passed."""

    user: User


class AuthedApiRequest(Request):
    """An API view's request once authentication and `IsAuthenticated` have passed."""

    user: User
