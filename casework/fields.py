"""Model fields that keep personal data encrypted in the database."""

from __future__ import annotations

from typing import Any

from django.db import models

from casework import crypto


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Plaintext in Python, Fernet ciphertext in the database. Not filterable: use a blind index."""

    description = "Encrypted text"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))
