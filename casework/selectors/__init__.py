"""Selectors: every read of user-visible data, scoped to the user."""
