"""The public branch contact card (measure 4): what the branch published so that members can
reach it, printable; no login, no personal data beyond the published phones."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from casework.selectors.prevention import public_card


@cache_control(public=True, max_age=300)
def branch_card(request: HttpRequest, code: str) -> HttpResponse:
    card = public_card(code[:16])
    if card is None:
        raise Http404
    context = {
        "card": card,
        "people": list(card.people.all()),
        "platform_name": settings.LIANLUO_PLATFORM_NAME,
        "platform_url": settings.LIANLUO_PLATFORM_URL,
    }
    return render(request, "integrations/branch_card.html", context)
