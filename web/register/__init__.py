"""Screens of the member register: list, member page, edit, reveal, import, roster export."""
