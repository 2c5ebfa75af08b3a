"""viewflow flows: the case process, its human tasks, queues and timers. No business rules here."""

from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from casework import hooks
        from workflows.hooks import resume_waits, start_processes_on_commit
        from workflows.services.processes import case_flow_follow

        hooks.cases_opened.register(start_processes_on_commit)
        hooks.case_changed.register(case_flow_follow)
        hooks.inquiries_settled.register(resume_waits)
