"""The REST API (/api/v1/): thin DRF views over casework/documents selectors and services."""
