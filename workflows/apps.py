"""viewflow flows: the case process, its human tasks, queues and timers. No business rules here."""

from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from casework import hooks
        from workflows.hooks import (
            inquiry_waits_resume_enqueue,
            processes_start_enqueue,
            register_outbox_handlers,
        )
        from workflows.services.processes import case_flow_follow

        hooks.cases_opened.register(processes_start_enqueue)
        hooks.case_changed.register(case_flow_follow)
        hooks.inquiries_settled.register(inquiry_waits_resume_enqueue)
        register_outbox_handlers()
