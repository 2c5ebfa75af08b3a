from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "lianluo web"

    def ready(self) -> None:
        from web import metrics, receivers, task_context

        task_context.connect()
        metrics.connect_task_signals()
        assert receivers  # imported for its @receiver log-in audit handlers
