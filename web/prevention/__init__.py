"""Prevention pages: at-risk members, quick contact, meetings, dues, transfers (measures 3-8)."""
