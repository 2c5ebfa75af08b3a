"""Data quality of the register (measure 1), per organisation subtree: which members miss an ID
number, a phone, a residence, an occupation, a relative's contact or a contact officer, whose
record was not confirmed with them for the rule set's `info_confirm_months`, and who look like
duplicates (a phone or name-and-birth-date blind index shared with another member).

Every test is SQL on the stored columns (an empty encrypted column is stored empty), never a
decryption. The same definitions feed the dashboard (casework.selectors.dashboard_prevention).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from casework.access import User
from casework.models import (
    DashboardRollup,
    Member,
    MemberSearchKey,
    MemberStatus,
    Organisation,
    Relative,
)
from casework.selectors.dashboard import PERIODS
from casework.selectors.dashboard_prevention import DUPLICATE_KINDS, unconfirmed_since
from casework.selectors.organisations import organisation_get_for_user

ISSUES: dict[str, Any] = {
    "no_id_number": _("缺公民身份号码"),
    "no_phone": _("缺联系电话"),
    "no_residence": _("缺居住地"),
    "no_occupation": _("缺职业（工作岗位）"),
    "no_relative_contact": _("缺家庭成员或亲属联系方式"),
    "no_officer": _("未指定包干联系人"),
    "unconfirmed": _("信息长期未核对"),
    "duplicate": _("疑似重复登记"),
}


def _conditions(today: dt.date) -> dict[str, Any]:
    relative_contact = Relative.objects.filter(member_id=OuterRef("pk")).filter(
        ~Q(phone="") | ~Q(address="")
    )
    # a self-join per member (two key rows, one index probe each); Django's nested Exists
    # lets PostgreSQL hash the whole key table instead
    keys = MemberSearchKey._meta.db_table
    member = Member._meta.db_table
    duplicate = RawSQL(  # noqa: S611 - table names and placeholders only
        f"EXISTS (SELECT 1 FROM {keys} k JOIN {keys} d ON d.key = k.key "  # noqa: S608
        f"AND d.member_id <> k.member_id WHERE k.member_id = {member}.id "
        "AND k.kind IN (%s, %s))",
        DUPLICATE_KINDS,
        output_field=BooleanField(),
    )
    since = unconfirmed_since(today)
    return {
        "no_id_number": Q(id_number=""),
        "no_phone": Q(phone="", phone_alt=""),
        "no_residence": Q(residence=""),
        "no_occupation": Q(occupation=""),
        "no_relative_contact": ~Exists(relative_contact),
        "no_officer": Q(contact_officer__isnull=True),
        "unconfirmed": Q(info_confirmed_on__isnull=True) | Q(info_confirmed_on__lt=since),
        "duplicate": duplicate,
    }


@dataclass
class DataQuality:
    organisation: Organisation
    members: QuerySet[Member]  # members with at least one issue (or the chosen one), annotated
    counts: dict[str, int]  # issue → members
    total: int  # normal members of the subtree
    unconfirmed_since: dt.date
    computed_at: dt.datetime | None = None  # counts from the nightly rollup of this time

    def issues_of(self, member: Member) -> list[str]:
        return [str(ISSUES[name]) for name in ISSUES if getattr(member, f"dq_{name}", False)]


def data_quality_for_user(
    *, user: User, organisation_id: int, issue: str = "", today: dt.date
) -> DataQuality:
    """The data-quality view of an organisation in the user's scope (NotFound outside it):
    counts per issue (from the nightly rollup when there is one of today or yesterday, else one
    live query) and the members concerned, by organisation and name."""
    organisation = organisation_get_for_user(user=user, pk=organisation_id)
    conditions = _conditions(today)
    base = Member.objects.filter(
        organisation__path__startswith=organisation.path, status=MemberStatus.NORMAL
    )
    counts, computed_at = _rollup_counts(organisation, today)
    if counts is None:
        counts = base.aggregate(
            total=Count("pk"),
            **{name: Count("pk", filter=Q(condition)) for name, condition in conditions.items()},
        )
    total = counts.pop("total")
    annotated = base.annotate(
        **{
            f"dq_{name}": ExpressionWrapper(Q(condition), output_field=BooleanField())
            for name, condition in conditions.items()
        }
    )
    if issue in conditions:
        annotated = annotated.filter(**{f"dq_{issue}": True})
    else:
        any_issue = Q()
        for name in conditions:
            any_issue |= Q(**{f"dq_{name}": True})
        annotated = annotated.filter(any_issue)
    # by organisation id then member id: the index on (organisation, status) walks the subtree
    # in order and the page's LIMIT stops the walk early (no sort of a whole committee)
    members = annotated.select_related("organisation", "contact_officer").order_by(
        "organisation_id", "pk"
    )
    return DataQuality(
        organisation=organisation,
        members=members,
        counts={name: int(counts[name]) for name in ISSUES},
        total=int(total),
        unconfirmed_since=unconfirmed_since(today),
        computed_at=computed_at,
    )


# the rollup's subtree figures, by issue (the same definitions, counted nightly)
_ROLLUP_NAMES = {
    "total": "members",
    "no_id_number": "dq_no_id_number",
    "no_phone": "dq_no_phone",
    "no_residence": "dq_no_residence",
    "no_occupation": "dq_no_occupation",
    "no_relative_contact": "dq_no_relative_contact",
    "no_officer": "dq_no_officer",
    "unconfirmed": "dq_unconfirmed",
    "duplicate": "dq_duplicates",
}


def _rollup_counts(
    organisation: Organisation, today: dt.date
) -> tuple[dict[str, int] | None, dt.datetime | None]:
    """Today's (or yesterday's) nightly counts of the subtree: a few milliseconds where the
    live count reads every member of a large committee. None when there is no rollup."""
    row = (
        DashboardRollup.objects.filter(
            organisation=organisation,
            period_days=PERIODS[0],
            day__gte=today - dt.timedelta(days=1),
            day__lte=today,
        )
        .order_by("-day", "-computed_at")
        .values("computed_at", *_ROLLUP_NAMES.values())
        .first()
    )
    if row is None:
        return None, None
    return {name: int(row[field]) for name, field in _ROLLUP_NAMES.items()}, row["computed_at"]
