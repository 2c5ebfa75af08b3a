"""Data-quality writes (measure 1): confirming a member's record with the member, and the
data-quality list as a spreadsheet (personal data masked, every export audited)."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.access import User
from casework.audit import audit_record
from casework.errors import Conflict
from casework.member_data import mask_value
from casework.models import Member, MemberChange
from casework.selectors.data_quality import ISSUES, DataQuality
from casework.services.ledgers.checks import not_in_future, require_writer
from casework.spreadsheet import text_cells


def member_info_confirm(
    *, member: Member, actor: AbstractBaseUser, confirmed_on: dt.date | None = None
) -> Member:
    """The record was checked with the member (信息核对): the confirmation date moves forward,
    never back."""
    require_writer(actor, member.organisation)
    day = confirmed_on or timezone.localdate()
    not_in_future(day, _("核对日期"))
    with transaction.atomic():
        locked = (
            Member.objects.select_for_update(no_key=True, of=("self",))
            .select_related("organisation")
            .get(pk=member.pk)
        )
        before = locked.info_confirmed_on
        if before is not None and before >= day:
            raise Conflict(_("该党员信息已在此日期或之后核对过。"), code="already_confirmed")
        locked.info_confirmed_on = day
        locked.save(update_fields=["info_confirmed_on", "updated_at"])
        MemberChange.objects.create(
            member=locked,
            actor_id=actor.pk,
            source="confirm",
            changes={
                "info_confirmed_on": [before.isoformat() if before else None, day.isoformat()]
            },
        )
        audit_record(
            actor=actor,
            action="member.confirm",
            obj=locked,
            organisation=locked.organisation,
            before={"info_confirmed_on": before},
            after={"info_confirmed_on": day},
        )
    return locked


EXPORT_LIMIT = 20_000


def data_quality_export(*, user: User, quality: DataQuality) -> tuple[bytes, int]:
    """The members of a data-quality view as .xlsx (ID numbers and phones masked); one audit
    event `data_quality.export` with the row count. Returns the bytes and the rows."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("数据质量"))
    sheet.append(text_cells(sheet, [_("党员信息数据质量"), quality.organisation.name]))
    sheet.append([_("党员总数"), quality.total])
    sheet.append([str(label) for label in ISSUES.values()])
    sheet.append([quality.counts[name] for name in ISSUES])
    sheet.append([])
    sheet.append(
        [
            _("姓名"),
            _("所在党支部"),
            _("公民身份号码"),
            _("联系电话"),
            _("信息核对日期"),
            _("问题"),
        ]
    )
    rows = 0
    for member in quality.members[:EXPORT_LIMIT].iterator(chunk_size=1000):
        sheet.append(
            text_cells(
                sheet,
                [
                    member.name,
                    member.organisation.name,
                    mask_value("id_number", member.id_number),
                    mask_value("phone", member.phone),
                    member.info_confirmed_on.isoformat() if member.info_confirmed_on else "",
                    "、".join(quality.issues_of(member)),
                ],
            )
        )
        rows += 1
    out = io.BytesIO()
    book.save(out)
    with transaction.atomic():
        audit_record(
            actor=user,
            action="data_quality.export",
            obj=quality.organisation,
            organisation=quality.organisation,
            after={"rows": rows},
        )
    return out.getvalue(), rows
