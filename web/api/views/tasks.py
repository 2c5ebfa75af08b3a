"""Tasks: my inbox, the group queue, the approval queue; claim, release and complete.

Reads go through workflows.selectors and writes through workflows.services (locks, audit,
409 on races), exactly as the queue screens do. Completing a task takes its step's form as
JSON and goes the task page's own way (web/api/steps.py → workflows.services).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from casework.errors import DomainError
from casework.selectors.cases import case_get_for_user
from web.api.pagination import Cursor
from web.api.steps import complete_with_payload, step_form_description
from web.typing import AuthedApiRequest
from workflows.models import TaskDue
from workflows.selectors import (
    task_approval_queue_for_user,
    task_get_for_user,
    task_group_queue_for_user,
    task_inbox_for_user,
    task_open_for_case,
)
from workflows.services import task_claim, task_reassign, task_release, tasks_bulk_reassign


class TaskSerializer(serializers.ModelSerializer[TaskDue]):
    step = serializers.CharField(source="node", read_only=True)
    step_title = serializers.CharField(read_only=True)
    process = serializers.IntegerField(source="process_id", read_only=True)
    case_status = serializers.CharField(source="case.status", read_only=True)
    member_name = serializers.CharField(source="case.member.name", read_only=True)
    key_groups = serializers.IntegerField(source="case.member.key_groups", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True, allow_null=True)
    owner_name = serializers.SerializerMethodField(help_text="the holder's display name")
    is_overdue = serializers.BooleanField(read_only=True)
    days_since_contact = serializers.SerializerMethodField()

    class Meta:
        model = TaskDue
        fields = [
            "task_id",
            "process",
            "step",
            "step_title",
            "state",
            "role",
            "owner",
            "owner_name",
            "due_at",
            "is_overdue",
            "case",
            "case_status",
            "member_name",
            "key_groups",
            "organisation",
            "organisation_name",
            "days_since_contact",
        ]

    def get_owner_name(self, row: TaskDue) -> str | None:
        owner = row.owner
        return str(owner.get_full_name() or owner.get_username()) if owner else None

    def get_days_since_contact(self, row: TaskDue) -> int | None:
        since = getattr(row, "since_contact", None)
        return since.days if since is not None else None


class _TaskCursor(Cursor):
    ordering = ("due_at", "task_id")


def _queue(selector: Callable[..., QuerySet[TaskDue]], doc: str) -> type[generics.ListAPIView]:
    class QueueView(generics.ListAPIView[TaskDue]):
        __doc__ = doc
        serializer_class = TaskSerializer
        pagination_class = _TaskCursor

        def get_queryset(self) -> QuerySet[TaskDue]:
            return selector(user=self.request.user)

    return extend_schema(tags=["tasks"])(QueueView)


TaskInbox = _queue(task_inbox_for_user, "Tasks I hold, soonest due first.")
TaskGroupQueue = _queue(task_group_queue_for_user, "Unclaimed tasks I may claim by role.")
TaskApprovalQueue = _queue(task_approval_queue_for_user, "Pre-reviews and approvals for me.")


@extend_schema(tags=["tasks"])
class TaskDetail(generics.GenericAPIView[TaskDue]):
    serializer_class = TaskSerializer

    def get(self, request: Request, task_id: int) -> Response:
        return Response(TaskSerializer(task_get_for_user(user=request.user, task_id=task_id)).data)


def _act(service: Callable[..., Any]) -> type[generics.GenericAPIView]:
    class ActionView(generics.GenericAPIView[TaskDue]):
        serializer_class = TaskSerializer

        @extend_schema(request=None, responses=TaskSerializer)
        def post(self, request: Request, task_id: int) -> Response:
            task_get_for_user(user=request.user, task_id=task_id)  # 404 outside scope
            service(task_id=task_id, user=request.user)
            row = task_get_for_user(user=request.user, task_id=task_id)
            return Response(TaskSerializer(row).data)

    return extend_schema(tags=["tasks"])(ActionView)


TaskClaim = _act(task_claim)
TaskRelease = _act(task_release)


class TaskCompletionSerializer(serializers.Serializer):
    result = serializers.ChoiceField(
        choices=["completed", "recorded"],
        help_text="`completed`: the task is done and the flow moved on; `recorded`: a step "
        "action that keeps the task open (outreach `record`: one contact attempt logged).",
    )
    task = TaskSerializer()
    case_status = serializers.CharField()
    next_tasks = TaskSerializer(many=True, help_text="Open tasks of the case you may see.")


@extend_schema(
    tags=["tasks"],
    request={"application/json": {"$ref": "#/components/schemas/TaskPayload"}},
    responses=TaskCompletionSerializer,
    description=(
        "Complete a task you hold with its step's payload (the task page's form as JSON, "
        "see `TaskPayload`). 400 with field errors for a bad payload or a refused rule, "
        "403 when a rule forbids you (e.g. four-eyes: the proposer cannot approve), 404 "
        "outside your scope, 409 when the task is already done, not claimed by you, or "
        "being completed by someone else at the same moment."
    ),
)
class TaskComplete(generics.GenericAPIView[TaskDue]):
    serializer_class = TaskCompletionSerializer

    def post(self, request: AuthedApiRequest, task_id: int) -> Response:
        row = task_get_for_user(user=request.user, task_id=task_id)  # 404 outside scope
        done = complete_with_payload(
            user=request.user,
            row=row,
            payload=request.data,
        )
        row = task_get_for_user(user=request.user, task_id=task_id)
        body = {
            "result": "completed" if done.completed else "recorded",
            "task": row,
            "case_status": row.case.status,
            "next_tasks": list(task_open_for_case(user=request.user, case_id=row.case_id)),
        }
        return Response(TaskCompletionSerializer(body).data)


# ---- the step form, reassignment ---------------------------------------------------------


class FormChoiceSerializer(serializers.Serializer):
    value = serializers.JSONField(help_text="what to send: a string, or an id for a record")
    label = serializers.CharField()  # type: ignore[assignment]
    role = serializers.CharField(
        required=False, help_text="for people: a member's category; for departments: the kind"
    )
    role_label = serializers.CharField(required=False)


class FormFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(
        choices=["string", "integer", "date", "boolean", "choice", "multiple_choice"]
    )
    label = serializers.CharField()  # type: ignore[assignment]
    required = serializers.BooleanField()  # type: ignore[assignment]
    help_text = serializers.CharField(allow_blank=True)  # type: ignore[assignment]
    initial = serializers.JSONField(required=False)
    max_length = serializers.IntegerField(required=False)
    min_length = serializers.IntegerField(required=False)
    min_value = serializers.IntegerField(required=False)
    max_value = serializers.IntegerField(required=False)
    choices = FormChoiceSerializer(
        many=True, required=False, help_text="the only values accepted (choice fields)"
    )


class TaskFormSerializer(serializers.Serializer):
    task_id = serializers.IntegerField()
    step = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    fields = FormFieldSerializer(many=True)  # type: ignore[assignment]


@extend_schema(tags=["tasks"], responses=TaskFormSerializer)
class TaskForm(generics.GenericAPIView[TaskDue]):
    """The task's step form for this case and you: each field's type, limits and allowed
    values (the departments a request may address, the members eligible to talk …). POST the
    values to `complete/` with `step`. 400 for a timer or a wait (no form)."""

    serializer_class = TaskFormSerializer

    def get(self, request: AuthedApiRequest, task_id: int) -> Response:
        row = task_get_for_user(user=request.user, task_id=task_id)
        body = step_form_description(row=row, user=request.user)
        return Response(TaskFormSerializer(body).data)


def _user_named(username: str) -> Any:
    user = get_user_model()._default_manager.filter(username=username.strip()).first()
    if user is None:
        raise DomainError(_("人员不存在。"), code="unknown_user")
    return user


class TaskReassignSerializer(serializers.Serializer):
    to = serializers.CharField(max_length=150, help_text="username of a colleague with the role")
    reason = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


@extend_schema(tags=["tasks"], request=TaskReassignSerializer, responses=TaskSerializer)
class TaskReassign(generics.GenericAPIView[TaskDue]):
    """Hand the task to a colleague holding its role (its holder, or a secretary / committee
    approver / administrator over the case's organisation): the queue's 转办."""

    serializer_class = TaskReassignSerializer

    def post(self, request: AuthedApiRequest, task_id: int) -> Response:
        task_get_for_user(user=request.user, task_id=task_id)  # 404 outside scope
        incoming = TaskReassignSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        task_reassign(
            task_id=task_id,
            actor=request.user,
            to=_user_named(data["to"]),
            reason=data["reason"],
        )
        return Response(TaskSerializer(task_get_for_user(user=request.user, task_id=task_id)).data)


class BulkReassignSerializer(serializers.Serializer):
    absent = serializers.CharField(max_length=150, help_text="username of the absent officer")
    to = serializers.CharField(max_length=150, help_text="username of the colleague")
    reason = serializers.CharField(max_length=2000)


class BulkReassignedSerializer(serializers.Serializer):
    moved = serializers.ListField(child=serializers.IntegerField(), help_text="task ids")


@extend_schema(tags=["tasks"], request=BulkReassignSerializer, responses=BulkReassignedSerializer)
class TaskBulkReassign(generics.GenericAPIView[TaskDue]):
    """Every open task an absent officer holds goes to a colleague, all or nothing (the
    queue's 批量转办)."""

    serializer_class = BulkReassignSerializer

    def post(self, request: AuthedApiRequest) -> Response:
        incoming = BulkReassignSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        moved = tasks_bulk_reassign(
            actor=request.user,
            absent=_user_named(data["absent"]),
            to=_user_named(data["to"]),
            reason=data["reason"],
        )
        return Response({"moved": moved})


@extend_schema(tags=["tasks"])
class CaseTasks(generics.ListAPIView[TaskDue]):
    """The case's open tasks you may see, each with its step, role and holder (the case
    page's 当前环节): which task to claim next, and who holds it."""

    serializer_class = TaskSerializer
    pagination_class = _TaskCursor

    def get_queryset(self) -> QuerySet[TaskDue]:
        case = case_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        return task_open_for_case(user=self.request.user, case_id=case.pk)
