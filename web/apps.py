from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "lianluo web"

    def ready(self) -> None:
        from web import metrics, task_context

        task_context.connect()
        metrics.connect_task_signals()
