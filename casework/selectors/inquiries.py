"""Reading inquiries: liaisons see only what is addressed to their department."""

from __future__ import annotations

from django.db.models import QuerySet

from casework.access import REGISTER_ROLES, User, scope_q
from casework.errors import NotFound
from casework.models import Inquiry, InquiryStatus, Role, RoleAssignment

# A liaison sees an inquiry once it has been sent to them (never drafts).
_VISIBLE_TO_LIAISON = (
    InquiryStatus.SENT,
    InquiryStatus.OVERDUE,
    InquiryStatus.REMINDED,
    InquiryStatus.ANSWERED,
    InquiryStatus.CLOSED_UNANSWERED,
)


def inquiry_list_for_liaison(*, user: User) -> QuerySet[Inquiry]:
    """Inquiries sent to the departments the user is the active liaison for."""
    if not user.is_authenticated:
        return Inquiry.objects.none()
    departments = RoleAssignment.objects.filter(
        user_id=user.pk, role=Role.LIAISON, is_active=True
    ).values("department_id")
    return (
        Inquiry.objects.filter(department_id__in=departments, status__in=_VISIBLE_TO_LIAISON)
        .select_related("department")
        .order_by("due_date", "id")
    )


def inquiry_get_for_liaison(*, user: User, pk: int) -> Inquiry:
    try:
        return inquiry_list_for_liaison(user=user).get(pk=pk)
    except (Inquiry.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("not found") from exc


def inquiry_list_for_user(*, user: User) -> QuerySet[Inquiry]:
    """Inquiries of cases in the user's subtrees (register roles; liaisons see none here)."""
    return (
        Inquiry.objects.filter(scope_q(user, "case__organisation__path", REGISTER_ROLES))
        .select_related("department", "case")
        .order_by("case_id", "id")
    )


def inquiry_get_for_user(*, user: User, pk: int) -> Inquiry:
    try:
        return inquiry_list_for_user(user=user).get(pk=pk)
    except (Inquiry.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("not found") from exc
