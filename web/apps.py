from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "lianluo web"

    def ready(self) -> None:
        from web import receivers  # noqa: F401  (connects the log-in audit receivers)
