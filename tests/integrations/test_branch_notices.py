"""Branch notices leave the process through the outbox: the delivery message commits or rolls
back with the notice, and a notice half-sent by a killed worker is finished by the next
attempt, every member messaged (and logged as a contact attempt) once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from casework.models import (
    BranchNotice,
    BranchNoticeRecipient,
    ContactAttempt,
    DeliveryStatus,
    OutboxMessage,
    OutboxState,
)
from casework.services.branch_contact import BRANCH_NOTICE_DELIVER, branch_notice_create
from integrations import outbox
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _notice(world: Any) -> BranchNotice:
    return branch_notice_create(
        organisation=world.branch,
        actor=world.secretary,
        title="主题党日",
        text="周六九点支部活动室。",
        channel="sms",
    )


def test_the_delivery_is_written_with_the_notice_and_rolls_back_with_it(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_member(world.branch, name="通知甲", phone="13900000011")
    with pytest.raises(RuntimeError), transaction.atomic():
        _notice(world)
        raise RuntimeError("the request failed after the notice")
    assert not BranchNotice.objects.exists()
    assert not OutboxMessage.objects.filter(kind=BRANCH_NOTICE_DELIVER).exists()

    with django_capture_on_commit_callbacks(execute=True):
        notice = _notice(world)
    message = OutboxMessage.objects.get(kind=BRANCH_NOTICE_DELIVER)
    assert message.payload == {"notice_id": notice.pk}  # ids only
    assert message.state == OutboxState.DONE
    assert BranchNoticeRecipient.objects.get(notice=notice).status == DeliveryStatus.SENT


def test_a_notice_half_sent_by_a_killed_worker_is_finished_once_per_member(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    members = [make_member(world.branch, name=f"通知{i}", phone=f"1390000002{i}") for i in range(3)]
    with django_capture_on_commit_callbacks(execute=False):  # the relay never ran
        notice = _notice(world)
    first, second, third = BranchNoticeRecipient.objects.filter(notice=notice).order_by("pk")
    # the first attempt sent one message, had claimed the second, then its worker was killed
    BranchNoticeRecipient.objects.filter(pk=first.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now()
    )
    BranchNoticeRecipient.objects.filter(pk=second.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=timezone.now()
    )
    OutboxMessage.objects.filter(kind=BRANCH_NOTICE_DELIVER).update(
        state=OutboxState.RUNNING, attempts=1, available_at=timezone.now()
    )

    assert outbox.outbox_sweep().published == 1

    statuses = BranchNoticeRecipient.objects.filter(notice=notice).values_list("status", flat=True)
    assert set(statuses) == {DeliveryStatus.SENT}
    messaged = ContactAttempt.objects.filter(member__in=members, notes__contains="branch_notice")
    # the first member was messaged by the dead worker (before the test's records): not again
    assert sorted(messaged.values_list("member_id", flat=True)) == sorted(
        [second.member_id, third.member_id]
    )
    assert OutboxMessage.objects.get(kind=BRANCH_NOTICE_DELIVER).state == OutboxState.DONE
