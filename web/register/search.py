"""Finding members (measure 1): name, pinyin or initials, the last 4–6 ID characters, a phone
number or a full ID number, across the user's subtree, through blind indexes only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from casework.errors import DomainError
from casework.member_data import mask_value
from casework.selectors.search import SEARCH_LIMIT, member_search_for_user


@login_required
def member_search(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:40]
    rows: list[dict[str, object]] = []
    error = ""
    if query:
        try:
            members = list(member_search_for_user(user=request.user, query=query))
        except DomainError as exc:
            error = str(exc.message)
        else:
            rows = [
                {
                    "member": m,
                    "id_number": mask_value("id_number", m.id_number),
                    "phone": mask_value("phone", m.phone),
                }
                for m in members
            ]
    context = {"query": query, "rows": rows, "error": error, "limit": SEARCH_LIMIT}
    return render(request, "web/register/search.html", context, status=400 if error else 200)
