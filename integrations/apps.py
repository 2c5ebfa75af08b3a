from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from casework.outbox import relay_register
        from integrations import outbox, outbox_handlers

        relay_register(outbox.relay_after_commit)
        outbox_handlers.register()
