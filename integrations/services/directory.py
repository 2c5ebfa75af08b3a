"""The department directory: channel settings per department, managed by coordinators."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from casework.access import has_role_over, scope_q
from casework.audit import audit_record
from casework.errors import DomainError, NotFound
from casework.models import Department, DepartmentKind, Organisation, Role
from integrations.models import ChannelKind, DepartmentChannel, Lookup

Actor = AbstractBaseUser | AnonymousUser
COORDINATING_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR)


def departments_for_coordinator(*, user: Actor) -> QuerySet[Department]:
    return (
        Department.objects.filter(scope_q(user, "organisation__path", COORDINATING_ROLES))
        .select_related("organisation", "channel")
        .order_by("organisation__path", "kind", "name")
    )


def department_get_for_coordinator(*, user: Actor, pk: int) -> Department:
    department = departments_for_coordinator(user=user).filter(pk=pk).first()
    if department is None:
        raise NotFound(_("协查部门不存在。"))
    return department


def channel_configure(
    *,
    department: Department,
    actor: Actor,
    kind: str,
    email: str = "",
    endpoint_url: str = "",
    hmac_key: str | None = None,
    lookups: Sequence[str] = (),
    reminders_enabled: bool = True,
) -> DepartmentChannel:
    """Set how the department is reached. `hmac_key=None` keeps the stored key."""
    if not has_role_over(actor, department.organisation, COORDINATING_ROLES):
        raise NotFound(_("协查部门不存在。"))
    if kind not in ChannelKind.values:
        raise DomainError(_("送达方式无效。"), code="invalid_channel")
    if kind == ChannelKind.EMAIL and not email:
        raise DomainError(_("电子邮件方式需要填写收件邮箱。"), code="email_required")
    unknown = set(lookups) - set(Lookup.values)
    if unknown:
        raise DomainError(_("可查询事项无效。"), code="invalid_lookup")
    with transaction.atomic():
        channel, _created = DepartmentChannel.objects.select_for_update().get_or_create(
            department=department
        )
        before = {"kind": channel.kind, "email": channel.email, "url": channel.endpoint_url}
        channel.kind = kind
        channel.email = email
        channel.endpoint_url = endpoint_url
        if hmac_key:
            channel.hmac_key = hmac_key
        if kind == ChannelKind.HTTP and not (endpoint_url and channel.hmac_key):
            raise DomainError(_("接口方式需要接口地址和签名密钥。"), code="http_settings_required")
        channel.lookups = [code for code in Lookup.values if code in set(lookups)]
        channel.reminders_enabled = reminders_enabled
        channel.save()
        audit_record(
            actor=actor,
            action="department.channel",
            obj=channel,
            organisation=department.organisation,
            before=before,
            after={
                "kind": kind,
                "email": email,
                "url": endpoint_url,
                "key_changed": bool(hmac_key),
                "lookups": channel.lookups,
            },
        )
    return channel


def department_save(
    *,
    actor: Actor,
    organisation: Organisation,
    kind: str,
    name: str,
    office: str = "",
    contact_person: str = "",
    answer_days: int = 10,
    is_active: bool = True,
    department: Department | None = None,
) -> Department:
    """Create or edit a department of the coordinator's organisation department."""
    if not has_role_over(actor, organisation, COORDINATING_ROLES):
        raise NotFound(_("组织部门不存在。"))
    if department is not None and department.organisation_id != organisation.pk:
        raise NotFound(_("协查部门不存在。"))
    if kind not in DepartmentKind.values:
        raise DomainError(_("部门类别无效。"), code="invalid_kind")
    if not name.strip():
        raise DomainError(_("请填写部门名称。"), code="name_required")
    if not 1 <= answer_days <= 60:
        raise DomainError(_("答复期限应在1至60个工作日之间。"), code="invalid_answer_days")
    with transaction.atomic():
        if department is None:
            department = Department(organisation=organisation)
        else:
            department = Department.objects.select_for_update().get(pk=department.pk)
        department.kind = kind
        department.name = name.strip()
        department.office = office.strip()
        department.contact_person = contact_person.strip()
        department.answer_days = answer_days
        department.is_active = is_active
        created = department.pk is None
        department.save()
        audit_record(
            actor=actor,
            action="department.create" if created else "department.update",
            obj=department,
            organisation=organisation,
            after={"kind": kind, "name": department.name, "answer_days": answer_days},
        )
    return department
