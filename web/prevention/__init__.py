"""Prevention pages (measures 3, 5, 7, 8): at-risk members, quick contact, meetings, dues, transfers."""
