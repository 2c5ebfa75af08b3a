"""An appeal (申诉) against a case's decision in force: received through the same workflow
service as the case page (workflows.services.appeal_file); the higher organ decides it by
completing the `appeal_review` task (POST /api/v1/tasks/{id}/complete/ with its payload)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from casework.models import Appeal, Case
from casework.selectors.cases import case_get_for_user
from web.typing import AuthedApiRequest
from workflows.models import TaskDue
from workflows.services import appeal_file


class AppealFileSerializer(serializers.Serializer[Any]):
    grounds = serializers.CharField(max_length=4000)
    received_on = serializers.DateField()


class AppealSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    decision = serializers.IntegerField(source="decision_id")
    decision_kind = serializers.CharField(source="decision.kind")
    received_on = serializers.DateField()
    organisation = serializers.CharField(source="organisation.name")
    outcome = serializers.CharField()
    task = serializers.IntegerField(allow_null=True)


@extend_schema(tags=["cases"])
class CaseAppeal(generics.GenericAPIView[Case]):
    """Receive the member's appeal against the decision in force: the appeal, its
    acknowledgement (申诉受理通知) and a review task for the organ above the one that decided."""

    serializer_class = AppealFileSerializer

    @extend_schema(request=AppealFileSerializer, responses={201: AppealSerializer})
    def post(self, request: AuthedApiRequest, pk: int) -> Response:
        case = case_get_for_user(user=request.user, pk=pk)
        incoming = AppealFileSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        appeal = appeal_file(
            case=case,
            actor=request.user,
            grounds=incoming.validated_data["grounds"],
            received_on=incoming.validated_data["received_on"],
        )
        return Response(_appeal_data(appeal), status=status.HTTP_201_CREATED)


def _appeal_data(appeal: Appeal) -> Any:
    task = (
        TaskDue.objects.filter(case_id=appeal.case_id, node="appeal_review")
        .order_by("-task_id")
        .values_list("task_id", flat=True)
        .first()
    )
    appeal.task = task  # type: ignore[attr-defined]
    return AppealSerializer(appeal).data
