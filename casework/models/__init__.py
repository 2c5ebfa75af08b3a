"""All casework models, one module per sub-domain."""

from casework.models.audit import AuditEvent, AuditStream
from casework.models.cases import CLOSED_STATUSES, Case, CaseStatus, Circumstance
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

__all__ = [
    "CLOSED_STATUSES",
    "AuditEvent",
    "AuditStream",
    "Case",
    "CaseStatus",
    "Circumstance",
    "Department",
    "DepartmentKind",
    "Gender",
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
