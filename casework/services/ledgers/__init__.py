"""Writing contact signals and ledgers, by ledger:

- `contact`: contact attempts, meetings and roll calls (organisational life), dues
- `transfers`: relation transfers and follow-ups on unreturned receipts (chased by letter
  through the outbox: TRANSFER_CHASE)
- `mobility`: mobile members (流动党员活动证: issue, reports, renewal, return; the
  pre-departure talk) and members abroad (the going-abroad ledger)
- `keepers`: ledger keepers and handovers (ledgers, checked items, witness, both signatures)
- `checks`: what every write shares (the writer's role, dates, contact moving forward)

Every signal of contact (a reached attempt, presence at a meeting, an answered roll call, a
dues payment, a mobile member's report, a return from abroad) moves the member's last-contact
date forward by compare-and-set, never backwards. `from casework.services.ledgers import …`
reaches every write.
"""

from casework.services.ledgers.contact import (
    contact_attempt_record,
    dues_payment_record,
    meeting_record,
    roll_call_record,
)
from casework.services.ledgers.keepers import (
    ledger_handover_confirm,
    ledger_handover_record_attach,
    ledger_handover_start,
    ledger_keeper_assign,
)
from casework.services.ledgers.mobility import (
    TalkData,
    abroad_record_create,
    abroad_return_record,
    departure_talk_record,
    mobile_certificate_renew,
    mobile_certificate_return,
    mobile_record_create,
    mobile_report_record,
)
from casework.services.ledgers.transfers import (
    TRANSFER_CHASE,
    TRANSFER_RECEIPT,
    relation_transfer_issue,
    relation_transfer_receipt_record,
    transfer_follow_up_chased,
    transfer_follow_ups_create,
)

__all__ = [
    "TRANSFER_CHASE",
    "TRANSFER_RECEIPT",
    "TalkData",
    "abroad_record_create",
    "abroad_return_record",
    "contact_attempt_record",
    "departure_talk_record",
    "dues_payment_record",
    "ledger_handover_confirm",
    "ledger_handover_record_attach",
    "ledger_handover_start",
    "ledger_keeper_assign",
    "meeting_record",
    "mobile_certificate_renew",
    "mobile_certificate_return",
    "mobile_record_create",
    "mobile_report_record",
    "relation_transfer_issue",
    "relation_transfer_receipt_record",
    "roll_call_record",
    "transfer_follow_up_chased",
    "transfer_follow_ups_create",
]
