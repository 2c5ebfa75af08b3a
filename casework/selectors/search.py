"""Finding members across the user's subtree (measure 1) by name, pinyin, initials, the last
4–6 characters of the ID number, a phone number or a full ID number, through keyed blind
indexes only: the register is never decrypted to search."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from casework.access import User
from casework.errors import DomainError
from casework.models import Member, MemberSearchKey
from casework.search_keys import query_plan
from casework.selectors.members import member_list_for_user
from casework.services.members import id_number_index

SEARCH_LIMIT = 50
_ERRORS = {
    "too_short": _("请至少输入两个汉字、两个拼音字母、身份证号后4至6位或完整的电话号码。"),
    "unsupported": _("请只输入姓名（汉字）、拼音或号码，不要混合输入。"),
}


def member_search_for_user(
    *, user: User, query: str, limit: int = SEARCH_LIMIT
) -> QuerySet[Member]:
    """Members of the user's subtrees matching `query` (at most `limit`, by name). Raises
    DomainError with a message for the user when the query cannot be searched."""
    plan = query_plan(query)
    if plan.error:
        raise DomainError(_ERRORS[plan.error], code=f"search_{plan.error}")
    members = member_list_for_user(user=user)
    if plan.full_id_number:
        members = members.filter(id_number_index=id_number_index(plan.full_id_number))
    else:
        keys: QuerySet[Any] = MemberSearchKey.objects.filter(key__in=list(plan.keys)).values(
            "member_id"
        )
        if plan.match_all and len(plan.keys) > 1:
            keys = (
                keys.order_by()
                .annotate(found=Count("key", distinct=True))
                .filter(found=len(plan.keys))
                .values("member_id")
            )
        members = members.filter(pk__in=keys)
    return members.select_related("organisation", "contact_officer").order_by("name", "pk")[:limit]
