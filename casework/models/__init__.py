"""All casework models, one module per sub-domain."""

from casework.models.appeals import Appeal, AppealOutcome
from casework.models.audit import AuditEvent, AuditStream
from casework.models.cases import (
    CLOSED_STATUSES,
    Case,
    CaseStatus,
    CaseTrack,
    Cause,
    Circumstance,
    ClockKind,
    WithdrawReason,
)
from casework.models.dashboard import DashboardRollup
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
    ServiceMethod,
    TalkRecord,
)
from casework.models.imports import ImportJob, ImportStatus
from casework.models.inquiries import (
    SETTLED_INQUIRY_STATUSES,
    Inquiry,
    InquiryAnswer,
    InquiryStatus,
)
from casework.models.ledgers import (
    AbroadRecord,
    AtRiskReminder,
    Attendance,
    AttendanceStatus,
    ContactAttempt,
    ContactChannel,
    ContactOutcome,
    DuesPayment,
    FollowUp,
    HandoverCheck,
    LedgerHandover,
    LedgerKeeper,
    LedgerKind,
    Meeting,
    MeetingKind,
    MobileRecord,
    RelationTransfer,
    RollCall,
    RollCallEntry,
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
from casework.models.outbox import OPEN_STATES as OUTBOX_OPEN_STATES
from casework.models.outbox import OutboxMessage, OutboxState
from casework.models.prevention import (
    BranchContactCard,
    BranchContactPerson,
    BranchNotice,
    BranchNoticeRecipient,
    ContactDueReminder,
    DeliveryStatus,
    DepartureTalk,
    MemberLetterRound,
    MemberSearchKey,
    NoticeChannel,
    SearchKeyKind,
    TrainingKind,
    TrainingRecord,
)
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
    "CaseTrack",
    "Cause",
    "Circumstance",
    "ClockKind",
    "ContactAttempt",
    "ContactChannel",
    "ContactOutcome",
    "DashboardRollup",
    "Decision",
    "Department",
    "DepartmentKind",
    "Gender",
    "Ground",
    "ImportJob",
    "ImportStatus",
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
__all__ += [
    "BranchContactCard",
    "BranchContactPerson",
    "BranchNotice",
    "BranchNoticeRecipient",
    "ContactDueReminder",
    "DeliveryStatus",
    "DepartureTalk",
    "HandoverCheck",
    "LedgerKind",
    "MemberLetterRound",
    "MemberSearchKey",
    "NoticeChannel",
    "SearchKeyKind",
    "TrainingKind",
    "TrainingRecord",
]
__all__ += ["OUTBOX_OPEN_STATES", "OutboxMessage", "OutboxState"]
__all__ += ["ServiceMethod"]
__all__ += ["Appeal", "AppealOutcome"]
