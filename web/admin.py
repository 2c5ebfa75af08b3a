"""Django admin for the casework models, scoped like every other read.

Non-superusers see only rows in their subtree (through `scope_q`), read-only: writes go
through the services and their screens. An out-of-scope object is a 404. Personal data is
never shown in plaintext here (encrypted fields are excluded and shown masked).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest

from casework.access import REGISTER_ROLES, scope_paths, scope_q
from casework.member_data import mask_value
from casework.models import (
    AbroadRecord,
    AuditEvent,
    BranchContactCard,
    BranchNotice,
    Case,
    ContactAttempt,
    Department,
    DepartureTalk,
    ImportJob,
    Inquiry,
    LedgerHandover,
    LedgerKeeper,
    Member,
    MemberChange,
    MemberLetterRound,
    MobileRecord,
    Organisation,
    Relative,
    RoleAssignment,
    RollCall,
    TrainingRecord,
)


class ScopedAdmin(admin.ModelAdmin):
    """Rows whose organisation lies in the user's subtrees; superusers see everything."""

    path_field = "organisation__path"

    def _has_scope(self, request: HttpRequest) -> bool:
        return bool(scope_paths(request.user, REGISTER_ROLES))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(self.scope(request))

    def scope(self, request: HttpRequest) -> Q:
        return scope_q(request.user, self.path_field, REGISTER_ROLES)

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff) and (
            request.user.is_superuser or self._has_scope(request)
        )

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    path_field = "path"
    list_display = ("name", "kind", "code", "doc_code", "may_approve")
    search_fields = ("name", "code")


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    list_display = ("name", "kind", "organisation")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedAdmin):
    list_display = ("user", "role", "organisation", "is_active")


@admin.register(Member)
class MemberAdmin(ScopedAdmin):
    list_display = ("name", "gender", "organisation", "membership_type", "status")
    list_filter = ("status", "membership_type")
    search_fields = ("name",)
    exclude = ("id_number", "phone", "phone_alt", "residence", "id_number_index")
    readonly_fields = ("masked_id_number", "masked_phone")

    @admin.display(description="公民身份号码")
    def masked_id_number(self, obj: Member) -> str:
        return str(mask_value("id_number", obj.id_number))

    @admin.display(description="联系电话")
    def masked_phone(self, obj: Member) -> str:
        return str(mask_value("phone", obj.phone))


@admin.register(Relative)
class RelativeAdmin(ScopedAdmin):
    path_field = "member__organisation__path"
    list_display = ("name", "relation", "member")
    exclude = ("phone", "address")


@admin.register(MemberChange)
class MemberChangeAdmin(ScopedAdmin):
    path_field = "member__organisation__path"
    list_display = ("member", "actor", "source", "at")


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    list_display = ("pk", "member", "organisation", "status")


@admin.register(ContactAttempt)
class ContactAttemptAdmin(ScopedAdmin):
    path_field = "member__organisation__path"
    list_display = ("member", "channel", "outcome", "at")


@admin.register(Inquiry)
class InquiryAdmin(ScopedAdmin):
    path_field = "case__organisation__path"
    list_display = ("pk", "case", "department", "status")


@admin.register(ImportJob)
class ImportJobAdmin(ScopedAdmin):
    list_display = ("original_name", "organisation", "status", "created_at")
    exclude = ("stored_name",)


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin):
    list_display = ("stream", "seq", "at", "action", "actor", "organisation")
    list_filter = ("action",)


# --- prevention ledgers (read-only; written through the prevention screens and API) ---------


@admin.register(LedgerKeeper)
class LedgerKeeperAdmin(ScopedAdmin):
    list_display = ("organisation", "keeper", "since")


@admin.register(LedgerHandover)
class LedgerHandoverAdmin(ScopedAdmin):
    list_display = ("organisation", "from_user", "to_user", "handed_over_on", "is_complete")


@admin.register(AbroadRecord)
class AbroadRecordAdmin(ScopedAdmin):
    path_field = "member__organisation__path"
    list_display = ("member", "destination", "left_on", "returned_on")


@admin.register(MobileRecord)
class MobileRecordAdmin(ScopedAdmin):
    path_field = "member__organisation__path"
    list_display = ("member", "certificate_no", "destination", "report_due_on")


@admin.register(DepartureTalk)
class DepartureTalkAdmin(ScopedAdmin):
    path_field = "member__organisation__path"
    list_display = ("member", "talked_on", "talker", "expected_months")


@admin.register(RollCall)
class RollCallAdmin(ScopedAdmin):
    list_display = ("organisation", "held_on")


@admin.register(TrainingRecord)
class TrainingRecordAdmin(ScopedAdmin):
    path_field = "member__organisation__path"
    list_display = ("member", "kind", "topic", "trained_on")


@admin.register(MemberLetterRound)
class MemberLetterRoundAdmin(ScopedAdmin):
    list_display = ("organisation", "sent_on", "letters")


@admin.register(BranchContactCard)
class BranchContactCardAdmin(ScopedAdmin):
    list_display = ("organisation", "landline", "channel_name", "is_published")


@admin.register(BranchNotice)
class BranchNoticeAdmin(ScopedAdmin):
    list_display = ("organisation", "title", "channel", "created_at")
