"""Formal documents: GB/T 9704 templates, rendering, numbering, storage, verification."""
