"""All casework models, one module per sub-domain."""

from casework.models.audit import AuditEvent, AuditStream
from casework.models.cases import CLOSED_STATUSES, Case, CaseStatus, Circumstance
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
from casework.models.notifications import Notification
from casework.models.organisations import (
    Department,
    DepartmentKind,
    Organisation,
    OrgKind,
    Role,
    RoleAssignment,
)
from casework.models.signals import (
    AbroadRecord,
    AtRiskReminder,
    Attendance,
    AttendanceStatus,
    ContactAttempt,
    ContactChannel,
    ContactOutcome,
    DuesPayment,
    FollowUp,
    LedgerHandover,
    LedgerKeeper,
    Meeting,
    MeetingKind,
    MobileRecord,
    RelationTransfer,
    RollCall,
    RollCallEntry,
)

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
__all__ += [
    "AbroadRecord",
    "AtRiskReminder",
    "Attendance",
    "AttendanceStatus",
    "DuesPayment",
    "FollowUp",
    "LedgerHandover",
    "LedgerKeeper",
    "Meeting",
    "MeetingKind",
    "MobileRecord",
    "Notification",
    "RelationTransfer",
    "RollCall",
    "RollCallEntry",
]
