"""All casework models, one module per sub-domain."""

from casework.models.audit import AuditEvent, AuditStream
from casework.models.cases import (
    CLOSED_STATUSES,
    Case,
    CaseStatus,
    Cause,
    Circumstance,
    ClockKind,
    WithdrawReason,
)
from casework.models.decisions import (
    UNQUALIFIED_GROUNDS,
    ApproverAssignment,
    Decision,
    Ground,
    MeetingResolution,
    PreReview,
    Proposal,
    ProposalKind,
    ProposalStatus,
    ReviewLevel,
    TalkRecord,
)
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
from casework.models.timeline import TimelineEntry

__all__ = [
    "CLOSED_STATUSES",
    "SETTLED_INQUIRY_STATUSES",
    # cases
    "UNQUALIFIED_GROUNDS",
    "ApproverAssignment",
    "AuditEvent",
    "AuditStream",
    "Case",
    "CaseStatus",
    "Cause",
    "Circumstance",
    "ClockKind",
    "ContactAttempt",
    "ContactChannel",
    "ContactOutcome",
    "Decision",
    "Department",
    "DepartmentKind",
    "Gender",
    "Ground",
    "Inquiry",
    "InquiryAnswer",
    "InquiryStatus",
    "KeyGroup",
    "MeetingResolution",
    "Member",
    "MemberChange",
    "MemberStatus",
    "MembershipType",
    "OrgKind",
    "Organisation",
    "PreReview",
    "Proposal",
    "ProposalKind",
    "ProposalStatus",
    "Relative",
    "ReviewLevel",
    "Role",
    "RoleAssignment",
    "TalkRecord",
    "TimelineEntry",
    "WithdrawReason",
]
