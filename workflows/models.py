"""The case process and the per-task deadline/queue row the queue screens read.

`CaseProcess` extends viewflow's Process (multi-table) with a real one-to-one FK to the
case: one process per case, so "the process of case N" is a unique-index lookup and the
case's columns are one join away. Queues do not go through it at all: they read `TaskDue`,
which denormalises what every queue filters and sorts on (owner, task status, role,
organisation, due date) into one narrow table with composite indexes; the heavy columns
(member name, branch, case stage) come from joins on primary keys.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process, Task

from casework.models import Case, Organisation


class CaseProcess(Process):
    case: models.OneToOneField[Case, Case] = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="process"
    )

    class Meta:
        verbose_name = _("案件办理流程")
        verbose_name_plural = _("案件办理流程")

    def __str__(self) -> str:
        return f"process {self.pk} case {self.case_id}"


class TaskState(models.TextChoices):
    OPEN = "open", _("待认领")
    ASSIGNED = "assigned", _("办理中")
    DONE = "done", _("已办结")
    CANCELED = "canceled", _("已取消")


OPEN_STATES = (TaskState.OPEN, TaskState.ASSIGNED)


class EscalationLevel(models.IntegerChoices):
    NONE = 0, _("未升级")
    SECRETARY = 1, _("已提醒支部书记")
    COMMITTEE = 2, _("已提醒党委")


class TaskDue(models.Model):
    """One row per human task: who may take it, who holds it, and when it is due."""

    task = models.OneToOneField(
        Task, on_delete=models.CASCADE, primary_key=True, related_name="due"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="task_dues")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("案件所在党支部（按组织路径过滤范围）"),
    )
    node = models.CharField(_("环节"), max_length=50)
    role = models.CharField(_("办理角色"), max_length=32)
    role_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("在该组织（或其上级）持有办理角色的人可以认领"),
    )
    role_path = models.CharField(max_length=255)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=TaskState.choices, default=TaskState.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField(_("办理期限"))
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    escalation = models.PositiveSmallIntegerField(
        _("升级"), choices=EscalationLevel.choices, default=EscalationLevel.NONE
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("任务期限")
        verbose_name_plural = _("任务期限")
        indexes = [
            # personal inbox: my open tasks by due date
            models.Index(fields=["owner", "state", "due_at"], name="taskdue_owner_state_due"),
            # group and approval queues: open tasks for a role under an organisation path
            # prefix; the included columns let the queues' COUNT (state, approval nodes, the
            # four-eyes exclusion on node and case) run as an index-only scan
            models.Index(
                fields=["role", "role_path"],
                name="taskdue_role_path_cov",
                condition=models.Q(state__in=["open", "assigned"]),
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
                include=["state", "node", "case"],
            ),
            # the queues' order (due date, then id: the first page is read straight off the
            # index, no sort), the reminder / escalation sweep, and overdue tasks per
            # organisation on the dashboard (index-only with the organisation included)
            models.Index(
                fields=["due_at", "task"],
                name="taskdue_open_due_task",
                condition=models.Q(state__in=["open", "assigned"]),
                include=["organisation"],
            ),
            models.Index(fields=["case", "state"], name="taskdue_case_state"),
        ]

    def __str__(self) -> str:
        return f"{self.node} #{self.task_id} due {self.due_at:%Y-%m-%d}"

    @property
    def step_title(self) -> str:
        from workflows.case.steps import STEP_TITLES

        return str(STEP_TITLES.get(self.node, self.node))


class TaskEvent(models.Model):
    """What happened to a task in the queues (claim, release, reassign, reminder, escalation),
    visible on the case page. The audit chain records the same facts."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="task_events")
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "at"], name="taskevent_case_at")]

    def __str__(self) -> str:
        return f"{self.action} {self.task_id}"
