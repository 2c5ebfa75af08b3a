"""The outside world: department channels, member messaging, inbound answers, imports."""

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from casework import hooks
        from integrations.hooks import letters_for_signed

        hooks.inquiries_signed.register(letters_for_signed)
