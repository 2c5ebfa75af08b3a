"""All casework models, one module per sub-domain."""

from casework.models.audit import AuditEvent, AuditStream
from casework.models.cases import CLOSED_STATUSES, Case, CaseStatus, Circumstance
from casework.models.imports import ImportJob, ImportStatus
from casework.models.inquiries import (
    SETTLED_INQUIRY_STATUSES,
    Inquiry,
    InquiryAnswer,
    InquiryStatus,
)
from casework.models.members import (
    Gender,
    KeyGroup,
    Member,
    MemberChange,
    MembershipType,
    MemberStatus,
    Relative,
)
from casework.models.organisations import (
    Department,
    DepartmentKind,
    Organisation,
    OrgKind,
    Role,
    RoleAssignment,
)
from casework.models.signals import ContactAttempt, ContactChannel, ContactOutcome

__all__ = [
    "CLOSED_STATUSES",
    "SETTLED_INQUIRY_STATUSES",
    "AuditEvent",
    "AuditStream",
    "Case",
    "CaseStatus",
    "Circumstance",
    "ContactAttempt",
    "ContactChannel",
    "ContactOutcome",
    "Department",
    "DepartmentKind",
    "Gender",
    "ImportJob",
    "ImportStatus",
    "Inquiry",
    "InquiryAnswer",
    "InquiryStatus",
    "KeyGroup",
    "Member",
    "MemberChange",
    "MemberStatus",
    "MembershipType",
    "OrgKind",
    "Organisation",
    "Relative",
    "Role",
    "RoleAssignment",
]
