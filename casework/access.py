"""Who may see what: a user's roles apply to the subtree of the organisation they hold them at.

Every selector builds its queryset filter from `scope_q`; an object outside the scope is
simply not in the queryset, so the caller answers 404 and never leaks existence.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q

from casework.models import Member, Organisation, Role, RoleAssignment

# Roles that may read the register and cases of their subtree (liaisons never may).
REGISTER_ROLES = (
    Role.CONTACT_OFFICER,
    Role.BRANCH_SECRETARY,
    Role.COMMITTEE_APPROVER,
    Role.COORDINATOR,
    Role.INSPECTOR,
    Role.ADMINISTRATOR,
)
# Roles that may change things (inspectors are read-only).
WRITE_ROLES = tuple(r for r in REGISTER_ROLES if r != Role.INSPECTOR)

User = AbstractBaseUser | AnonymousUser


def _assignments(user: User, roles: Iterable[str]) -> list[tuple[str, str, int]]:
    """(role, organisation path, organisation id) for the user's active roles; cached per user."""
    if not user.is_authenticated:
        return []
    cache: list[tuple[str, str, int]] | None = getattr(user, "_lianluo_roles", None)
    if cache is None:
        cache = list(
            RoleAssignment.objects.filter(user_id=user.pk, is_active=True).values_list(
                "role", "organisation__path", "organisation_id"
            )
        )
        setattr(user, "_lianluo_roles", cache)  # noqa: B010
    wanted = set(roles)
    return [row for row in cache if row[0] in wanted]


def scope_paths(user: User, roles: Iterable[str] = REGISTER_ROLES) -> list[str]:
    """The organisation paths at which the user holds one of `roles`, without nested duplicates."""
    paths = sorted({path for _, path, _ in _assignments(user, roles)})
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(parent) for parent in kept):
            kept.append(path)
    return kept


def scope_q(user: User, path_field: str, roles: Iterable[str] = REGISTER_ROLES) -> Q:
    """A filter matching rows whose organisation path lies in the user's subtrees.

    `path_field` is the lookup to the organisation path, e.g. "organisation__path" or "path".
    Users without a matching role match nothing.
    """
    paths = scope_paths(user, roles)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{path_field}__startswith": path})
    return q


def reads_register(user: User) -> bool:
    """Whether the user holds a role that reads some subtree's register and cases (the side
    menu shows those applications to them; a liaison or a role-less user sees none)."""
    return bool(scope_paths(user, REGISTER_ROLES))


def has_role_over(user: User, organisation: Organisation, roles: Iterable[str]) -> bool:
    """True when the user holds one of `roles` at `organisation` or one of its ancestors."""
    return any(organisation.path.startswith(path) for path in scope_paths(user, roles))


def has_role_at(user: User, organisation: Organisation, roles: Iterable[str]) -> bool:
    """True when the user holds one of `roles` exactly at `organisation`."""
    return any(org_id == organisation.pk for _, _, org_id in _assignments(user, roles))


# Roles that may reveal personal data of every member in their subtree (the assigned
# contact officer may reveal their own members; inspectors and liaisons never may).
REVEAL_ROLES = (Role.BRANCH_SECRETARY, Role.COORDINATOR, Role.ADMINISTRATOR)


def may_edit_member(user: User, organisation: Organisation) -> bool:
    return has_role_over(user, organisation, WRITE_ROLES)


def may_reveal_member(user: User, member: Member) -> bool:
    """Secretary, coordinator or administrator over the member's organisation, or the
    contact officer assigned to that very member."""
    organisation = member.organisation
    if has_role_over(user, organisation, REVEAL_ROLES):
        return True
    return (
        member.contact_officer_id is not None
        and member.contact_officer_id == user.pk
        and has_role_over(user, organisation, (Role.CONTACT_OFFICER,))
    )
