"""Exporting the roster of a subtree to .xlsx: masked unless the user may reveal; audited.
Text that looks like a formula is written as text (casework.spreadsheet)."""

from __future__ import annotations

import io

from django.db import transaction
from django.utils.translation import gettext as _

from casework.access import REGISTER_ROLES, User, has_role_over, may_reveal_member
from casework.audit import audit_record
from casework.errors import NotFound
from casework.member_data import mask_value
from casework.models import Gender, Member, MembershipType, MemberStatus, Organisation
from casework.spreadsheet import text_cells

COLUMNS = (
    ("name", "姓名"),
    ("gender", "性别"),
    ("id_number", "公民身份号码"),
    ("birth_date", "出生日期"),
    ("membership_type", "人员类别"),
    ("join_date", "入党日期"),
    ("organisation", "所在党支部"),
    ("occupation", "工作岗位"),
    ("employer", "工作单位"),
    ("phone", "联系电话"),
    ("phone_alt", "备用电话"),
    ("residence", "家庭住址"),
    ("status", "党籍状态"),
    ("last_contact_date", "最近联系日期"),
)
_LABELS = {
    "gender": dict(Gender.choices),
    "membership_type": dict(MembershipType.choices),
    "status": dict(MemberStatus.choices),
}


def roster_export(*, user: User, organisation: Organisation) -> tuple[bytes, int, bool]:
    """The roster of `organisation`'s subtree as .xlsx bytes, the row count, and whether
    personal data was shown in full (only for members the user may reveal)."""
    from openpyxl import Workbook

    if not has_role_over(user, organisation, REGISTER_ROLES):
        raise NotFound(_("未找到该组织。"))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("党员名册"))
    sheet.append([_(label) for _name, label in COLUMNS])
    members = (
        Member.objects.filter(organisation__path__startswith=organisation.path)
        .select_related("organisation")
        .order_by("organisation__path", "name", "pk")
    )
    count = 0
    revealed = 0
    for member in members.iterator(chunk_size=2000):
        full = may_reveal_member(user, member)
        revealed += int(full)
        row = []
        for name, _label in COLUMNS:
            value = getattr(member, name)
            if name == "organisation":
                value = member.organisation.name
            elif name in _LABELS:
                value = str(_LABELS[name].get(value, value))
            elif name in ("id_number", "phone", "phone_alt", "residence") and not full:
                value = mask_value(name, value)
            row.append(value)
        sheet.append(text_cells(sheet, row))
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    with transaction.atomic():
        audit_record(
            actor=user,
            action="roster.export",
            obj=organisation,
            organisation=organisation,
            after={"rows": count, "unmasked_rows": revealed},
        )
    return buffer.getvalue(), count, revealed > 0
