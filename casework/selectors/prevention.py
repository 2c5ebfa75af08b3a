"""Reading the prevention ledgers within the user's scope (measures 2, 3, 4, 7, 8): roll calls,
going-abroad and mobile-member ledgers, the ledger keeper and handovers, training, letters,
branch notices and contact cards, contact duty. Out of scope is NotFound."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    Case,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.db.models.lookups import GreaterThan

from casework.access import REGISTER_ROLES, WRITE_ROLES, User, has_role_over, scope_q
from casework.errors import NotFound
from casework.models import (
    AbroadRecord,
    BranchContactCard,
    BranchNotice,
    DeliveryStatus,
    DepartureTalk,
    LedgerHandover,
    LedgerKeeper,
    Meeting,
    Member,
    MemberLetterRound,
    MemberStatus,
    MobileRecord,
    Organisation,
    OrgKind,
    Role,
    RoleAssignment,
    RollCall,
    TrainingRecord,
)
from casework.policy import add_months, group_buckets, rules_for
from casework.services.contact_duty import last_seen_expression

M = TypeVar("M", bound=Model)


def _get(queryset: QuerySet[M], pk: int) -> M:
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("not found") from exc


# --- roll calls --------------------------------------------------------------------------------


def roll_call_list_for_user(*, user: User) -> QuerySet[RollCall]:
    return (
        RollCall.objects.filter(scope_q(user, "organisation__path", REGISTER_ROLES))
        .select_related("organisation")
        .annotate(
            total=Count("entries"), answered=Count("entries", filter=Q(entries__answered=True))
        )
        .order_by("-held_on", "-id")
    )


def roll_call_get_for_user(*, user: User, pk: int) -> RollCall:
    return _get(roll_call_list_for_user(user=user), pk)


# --- mobile and abroad members -------------------------------------------------------------------


def abroad_list_for_user(*, user: User, current_only: bool = False) -> QuerySet[AbroadRecord]:
    records = AbroadRecord.objects.filter(
        scope_q(user, "member__organisation__path", REGISTER_ROLES)
    ).select_related("member__organisation")
    if current_only:
        records = records.filter(returned_on__isnull=True)
    return records.order_by("returned_on", "-left_on", "-id")


def abroad_get_for_user(*, user: User, pk: int) -> AbroadRecord:
    return _get(abroad_list_for_user(user=user), pk)


def mobile_list_for_user(*, user: User, active_only: bool = False) -> QuerySet[MobileRecord]:
    records = MobileRecord.objects.filter(
        scope_q(user, "member__organisation__path", REGISTER_ROLES)
    ).select_related("member__organisation")
    if active_only:
        records = records.filter(certificate_returned_on__isnull=True)
    return records.order_by("certificate_returned_on", "report_due_on", "-id")


def mobile_get_for_user(*, user: User, pk: int) -> MobileRecord:
    return _get(mobile_list_for_user(user=user), pk)


def departure_talks_for_user(*, user: User) -> QuerySet[DepartureTalk]:
    return (
        DepartureTalk.objects.filter(scope_q(user, "member__organisation__path", REGISTER_ROLES))
        .select_related("member", "talker")
        .order_by("-talked_on", "-id")
    )


def outgoing_members(organisation: Organisation) -> QuerySet[Member]:
    """Normal members of the branch who are away: mobile or abroad (they get the letters)."""
    return (
        Member.objects.filter(organisation=organisation, status=MemberStatus.NORMAL)
        .filter(Q(is_mobile=True) | Q(is_abroad=True))
        .order_by("name", "pk")
    )


# --- ledger keeper and handovers ------------------------------------------------------------------


def handover_list_for_user(*, user: User) -> QuerySet[LedgerHandover]:
    return (
        LedgerHandover.objects.filter(scope_q(user, "organisation__path", REGISTER_ROLES))
        .select_related("organisation", "from_user", "to_user", "witness")
        .order_by("-handed_over_on", "-id")
    )


def handover_get_for_user(*, user: User, pk: int) -> LedgerHandover:
    return _get(handover_list_for_user(user=user), pk)


@dataclass(frozen=True)
class KeeperStatus:
    keeper: LedgerKeeper | None
    present: bool  # the keeper still holds a working role over the organisation

    @property
    def absent(self) -> bool:
        return self.keeper is None or not self.present


def keeper_status(organisation: Organisation) -> KeeperStatus:
    """Who keeps the ledgers, and whether they are still there (active user, working role)."""
    keeper = LedgerKeeper.objects.select_related("keeper").filter(organisation=organisation).first()
    if keeper is None:
        return KeeperStatus(keeper=None, present=False)
    user = keeper.keeper
    present = bool(user.is_active) and has_role_over(user, organisation, WRITE_ROLES)
    return KeeperStatus(keeper=keeper, present=present)


def staff_of(organisation: Organisation) -> QuerySet[Any]:
    """Users holding a working role at the organisation or above it (keepers, talkers)."""
    ancestor_ids = [int(part) for part in organisation.path.strip("/").split("/") if part]
    user_ids = RoleAssignment.objects.filter(
        organisation_id__in=ancestor_ids, is_active=True, role__in=WRITE_ROLES
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("username")


# --- education, letters, notices, contact cards ---------------------------------------------------


def training_list_for_user(*, user: User) -> QuerySet[TrainingRecord]:
    return (
        TrainingRecord.objects.filter(scope_q(user, "member__organisation__path", REGISTER_ROLES))
        .select_related("member__organisation")
        .order_by("-trained_on", "-id")
    )


def letter_rounds_for_user(*, user: User) -> QuerySet[MemberLetterRound]:
    return (
        MemberLetterRound.objects.filter(scope_q(user, "organisation__path", REGISTER_ROLES))
        .select_related("organisation")
        .order_by("-sent_on", "-id")
    )


def notice_list_for_user(*, user: User) -> QuerySet[BranchNotice]:
    status = "recipients__status"
    return (
        BranchNotice.objects.filter(scope_q(user, "organisation__path", REGISTER_ROLES))
        .select_related("organisation", "created_by")
        .annotate(
            total=Count("recipients"),
            sent=Count("recipients", filter=Q(**{status: DeliveryStatus.SENT})),
            failed=Count(
                "recipients",
                filter=Q(**{f"{status}__in": [DeliveryStatus.FAILED, DeliveryStatus.NO_ADDRESS]}),
            ),
        )
        .order_by("-created_at", "-id")
    )


def notice_get_for_user(*, user: User, pk: int) -> BranchNotice:
    return _get(notice_list_for_user(user=user), pk)


def contact_card_for(organisation: Organisation) -> BranchContactCard | None:
    """The card of the organisation, else of its nearest ancestor that has one."""
    ancestor_ids = [int(part) for part in organisation.path.strip("/").split("/") if part]
    cards = {
        card.organisation_id: card
        for card in BranchContactCard.objects.filter(organisation_id__in=ancestor_ids)
        .select_related("organisation")
        .prefetch_related("people")
    }
    for org_id in reversed(ancestor_ids):
        if org_id in cards:
            return cards[org_id]
    return None


def public_card(code: str) -> BranchContactCard | None:
    """A published card by its public code (no personal data beyond what was published)."""
    return (
        BranchContactCard.objects.filter(public_code=code, is_published=True)
        .select_related("organisation")
        .prefetch_related("people")
        .first()
    )


# --- contact duty ------------------------------------------------------------------------------


def _cadence(as_of: dt.date) -> Case:
    rules = rules_for(as_of)
    buckets = group_buckets(rules.contact_cadence_days, rules.default_contact_cadence_days)
    whens = [
        When(GreaterThan(F("key_groups").bitand(mask), 0), then=Value(dt.timedelta(days=days)))
        for mask, days in buckets
        if mask
    ]
    default = Value(dt.timedelta(days=buckets[-1][1]))
    return Case(*whens, default=default, output_field=DurationField())


def contact_duty_list_for_user(
    *, user: User, as_of: dt.date, officer_id: int | None = None
) -> QuerySet[Member]:
    """A contact officer's members (default: the user's own) with `last_seen`, `cadence` and
    `due_on` (the next contact), soonest due first. Normal members of the user's scope only."""
    officer = officer_id if officer_id is not None else user.pk
    return (
        Member.objects.filter(scope_q(user, "organisation__path", REGISTER_ROLES))
        .filter(status=MemberStatus.NORMAL, contact_officer_id=officer)
        .annotate(last_seen=last_seen_expression(), cadence=_cadence(as_of))
        .annotate(
            due_on=Cast(
                ExpressionWrapper(F("last_seen") + F("cadence"), output_field=DateField()),
                DateField(),
            )
        )
        .select_related("organisation")
        .order_by("due_on", "name", "pk")
    )


def contact_officers_for_user(*, user: User) -> QuerySet[Any]:
    """Contact officers holding the role inside the user's scope (whose lists they may read)."""
    user_ids = RoleAssignment.objects.filter(
        scope_q(user, "organisation__path", REGISTER_ROLES),
        role=Role.CONTACT_OFFICER,
        is_active=True,
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=user_ids).order_by("username")


# --- organisational life across branches (measure 7) ----------------------------------------------


def org_life_for_user(
    *, user: User, as_of: dt.date, organisation: Organisation | None = None
) -> tuple[QuerySet[Organisation], dict[str, dt.date]]:
    """Branches of the user's scope (or of `organisation`'s subtree) with the date of their
    latest meeting of every 三会一课 kind (`last_<kind>`) and latest roll call; and per kind
    the earliest date a meeting must be after to be on schedule on `as_of`."""
    cadence = rules_for(as_of).org_life_cadence_months
    branches = Organisation.objects.filter(scope_q(user, "path", REGISTER_ROLES)).filter(
        kind=OrgKind.BRANCH
    )
    if organisation is not None:
        branches = branches.filter(path__startswith=organisation.path)
    latest = {
        f"last_{kind}": Subquery(
            Meeting.objects.filter(organisation_id=OuterRef("pk"), kind=kind, held_on__lte=as_of)
            .order_by("-held_on")
            .values("held_on")[:1]
        )
        for kind in sorted(cadence)
    }
    latest["last_roll_call"] = Subquery(
        RollCall.objects.filter(organisation_id=OuterRef("pk"), held_on__lte=as_of)
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    limits = {kind: add_months(as_of, -months) for kind, months in cadence.items()}
    return branches.annotate(**latest).order_by("path"), limits
