"""Every HTML endpoint that accepts POST has an API counterpart — or an explicit reason here.

The URL resolver is walked for every view outside /api/; a view accepts POST when its class
has a `post` method (RedirectViews excepted: a redirect changes nothing) or, for a function
view, when its source (decorators included) handles POST. Each must match one entry of
COUNTERPARTS (an operation that must exist in /api/schema/) or REASONS (why none is needed).
A new screen action without either fails this test."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.generic import RedirectView

FLOW_TASK = r"workflows/<int:process_pk>/[a-z_]+/<int:task_pk>/"

# route (regex, full match) → "METHOD /api/v1/path" (must be in the schema)
COUNTERPARTS: dict[str, str] = {
    "accounts/login/": "POST /api/v1/auth/token/",
    "accounts/logout/": "DELETE /api/v1/tokens/{id}/",
    "verify/": "POST /api/v1/verify/",
    "documents/<int:pk>/void/": "POST /api/v1/documents/{id}/void/",
    "documents/<int:pk>/reissue/": "POST /api/v1/documents/{id}/replace/",
    # register
    "register/members/new/": "POST /api/v1/members/",
    "register/members/<int:pk>/edit/": "PATCH /api/v1/members/{id}/",
    "register/members/<int:pk>/reveal/": "POST /api/v1/members/{id}/reveal/",
    # the phone button reveals the phone (audited) and logs the call as a contact attempt
    "register/members/<int:pk>/call/": "POST /api/v1/members/{id}/reveal/",
    "register/members/<int:pk>/relatives/": "POST /api/v1/members/{id}/relatives/",
    "register/members/<int:pk>/relatives/<int:relative_pk>/remove/": (
        "DELETE /api/v1/members/{id}/relatives/{relative_id}/"
    ),
    "register/import/": "POST /api/v1/imports/",
    # prevention
    "prevention/members/<int:pk>/contact/": "POST /api/v1/members/{id}/contact-attempts/",
    "prevention/members/<int:pk>/dues/": "POST /api/v1/members/{id}/dues/",
    "prevention/organisations/<int:org_pk>/meetings/new/": "POST /api/v1/meetings/",
    "prevention/transfers/<int:pk>/receipt/": "POST /api/v1/transfers/{id}/receipt/",
    "prevention/members/<int:pk>/confirm/": "POST /api/v1/members/{id}/confirm/",
    "prevention/organisations/<int:org_pk>/keeper/": "POST /api/v1/organisations/{id}/keeper/",
    "prevention/organisations/<int:org_pk>/handovers/new/": "POST /api/v1/handovers/",
    "prevention/handovers/<int:pk>/confirm/": "POST /api/v1/handovers/{id}/confirm/",
    "prevention/handovers/<int:pk>/record/": "POST /api/v1/handovers/{id}/record/",
    "prevention/organisations/<int:org_pk>/abroad/new/": "POST /api/v1/abroad/",
    "prevention/abroad/<int:pk>/return/": "POST /api/v1/abroad/{id}/return/",
    "prevention/organisations/<int:org_pk>/mobile/new/": "POST /api/v1/mobile/",
    "prevention/mobile/<int:pk>/report/": "POST /api/v1/mobile/{id}/report/",
    "prevention/mobile/<int:pk>/renew/": "POST /api/v1/mobile/{id}/renew/",
    "prevention/mobile/<int:pk>/return/": "POST /api/v1/mobile/{id}/return/",
    "prevention/organisations/<int:org_pk>/roll-calls/new/": "POST /api/v1/roll-calls/",
    "prevention/organisations/<int:org_pk>/training/new/": "POST /api/v1/training/",
    "prevention/organisations/<int:org_pk>/letters/": "POST /api/v1/organisations/{id}/letters/",
    "prevention/organisations/<int:org_pk>/card/": "PUT /api/v1/organisations/{id}/card/",
    "prevention/organisations/<int:org_pk>/notices/new/": "POST /api/v1/notices/",
    # coordination and the liaison
    "coordination/departments/new/": "POST /api/v1/departments/",
    "coordination/departments/<int:pk>/": "PUT /api/v1/departments/{id}/",
    "coordination/departments/<int:pk>/channel/": "PUT /api/v1/departments/{id}/channel/",
    "coordination/letters/send/": "POST /api/v1/letters/send/",
    "coordination/letters/<int:pk>/resend/": "POST /api/v1/letters/{id}/resend/",
    "coordination/letters/print/": "POST /api/v1/letters/print/",
    "coordination/letters/<int:pk>/reply/": "POST /api/v1/letters/{id}/reply/",
    "coordination/changes/<int:pk>/decide/": "POST /api/v1/contact-changes/{id}/decide/",
    "coordination/members/<int:member_pk>/reconnect/": "POST /api/v1/members/{id}/reconnect/",
    "liaison/<int:pk>/": "POST /api/v1/inquiries/{id}/answer/",
    # cases and tasks
    "cases/<int:pk>/send-back/": "POST /api/v1/cases/{id}/send-back/",
    "cases/<int:pk>/approvers/": "POST /api/v1/cases/{id}/approvers/",
    "cases/<int:pk>/withdraw/": "POST /api/v1/cases/{id}/withdraw/",
    "cases/<int:pk>/appeal/": "POST /api/v1/cases/{id}/appeal/",
    "cases/<int:pk>/inquiries/<int:inquiry_pk>/sign/": "POST /api/v1/inquiries/{id}/sign/",
    "(queues|workflows)/task/<int:task_id>/claim/": "POST /api/v1/tasks/{task_id}/claim/",
    "(queues|workflows)/task/<int:task_id>/release/": "POST /api/v1/tasks/{task_id}/release/",
    "(queues|workflows)/task/<int:task_id>/reassign/": "POST /api/v1/tasks/{task_id}/reassign/",
    "(queues|workflows)/bulk-reassign/": "POST /api/v1/tasks/bulk-reassign/",
    # viewflow's own task pages: the step form, claim (assign) and release (unassign)
    FLOW_TASK + "execute/": "POST /api/v1/tasks/{task_id}/complete/",
    FLOW_TASK + "assign/": "POST /api/v1/tasks/{task_id}/claim/",
    FLOW_TASK + "unassign/": "POST /api/v1/tasks/{task_id}/release/",
    "workflows/queue/assign/": "POST /api/v1/tasks/{task_id}/claim/",
    "workflows/inbox/unassign/": "POST /api/v1/tasks/{task_id}/release/",
}

# route (regex) → why no API operation is needed
REASONS: dict[str, str] = {
    # the browser's language cookie; API answers follow Accept-Language
    "i18n/setlang/": "UI language preference of a browser session",
    # passwords are changed and reset in the browser (an emailed link); tokens never carry them
    "accounts/password_change/": "password change stays a browser-session page",
    "accounts/password_reset/": "password reset mails a link to a browser page",
    "accounts/reset/<uidb64>/<token>/": "the mailed reset link's page",
    # Django admin: superuser maintenance, not a screen of the product
    "admin/.*": "Django admin (maintenance by superusers)",
    # machine and public endpoints that are an interface themselves
    "integrations/webhooks/inquiry-answer": "the departments' signed webhook (machine API)",
    "integrations/r/<str:token>/": "the member's own one-time reconnect page (public link)",
    # viewflow's repair actions on a flow (administrators fixing a stuck process); casework
    # changes of a case (withdraw, send back) have their own operations above
    FLOW_TASK + "(revive|undo|cancel)/": "viewflow repair action (administrators)",
    "workflows/<int:process_pk>/cancel/": "viewflow repair action; cases use cases/{id}/withdraw",
}


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _accepts_post(view: Any) -> bool:
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post") and not issubclass(view_class, RedirectView)
    try:
        source = inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):
        return True  # unknown: must be listed
    return "POST" in source


def html_post_routes() -> list[str]:
    return sorted(
        {
            route
            for route, pattern in _walk(get_resolver())
            if not route.startswith("api/") and _accepts_post(pattern.callback)
        }
    )


def _match(table: dict[str, str], route: str) -> str | None:
    return next((value for key, value in table.items() if re.fullmatch(key, route)), None)


@pytest.fixture(scope="module")
def operations() -> set[str]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        f"{method.upper()} {path}"
        for path, methods in schema["paths"].items()
        for method in methods
    }


def test_the_walk_finds_the_screens_post_endpoints() -> None:
    routes = html_post_routes()
    assert "coordination/letters/send/" in routes
    assert "cases/<int:pk>/send-back/" in routes
    assert not any(route.startswith("api/") for route in routes)
    assert len(routes) > 60


def test_every_html_post_endpoint_has_an_api_counterpart_or_a_reason(operations) -> None:
    unmatched = [
        route
        for route in html_post_routes()
        if _match(COUNTERPARTS, route) is None and _match(REASONS, route) is None
    ]
    assert unmatched == [], "HTML POST endpoints with no API counterpart and no reason"


def test_every_named_counterpart_is_an_operation_of_the_schema(operations) -> None:
    missing = sorted(set(COUNTERPARTS.values()) - operations)
    assert missing == []
