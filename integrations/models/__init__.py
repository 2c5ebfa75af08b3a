"""Integrations models: the department directory, letters and their delivery, inbound answers,
follow-ups and notifications, member self-service links."""

from integrations.models.answers import AnswerAttachment, WebhookReceipt
from integrations.models.delivery import DeliveryState, InquiryLetter, LetterKind
from integrations.models.directory import ChannelKind, DepartmentChannel, Lookup
from integrations.models.followups import ClueFollowUp, CoordinatorNotification
from integrations.models.reconnect import PendingContactChange, PendingStatus, ReconnectLink

__all__ = [
    "AnswerAttachment",
    "ChannelKind",
    "ClueFollowUp",
    "CoordinatorNotification",
    "DeliveryState",
    "DepartmentChannel",
    "InquiryLetter",
    "LetterKind",
    "Lookup",
    "PendingContactChange",
    "PendingStatus",
    "ReconnectLink",
    "WebhookReceipt",
]
