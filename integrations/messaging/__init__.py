"""Member messaging: one interface (`MessageBackend`), adapters per channel."""
