"""Cross-department inquiries (measure 6): one per department per case, each with a deadline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from casework.fields import EncryptedTextField
from casework.models.cases import Case
from casework.models.organisations import Department


class InquiryStatus(models.TextChoices):
    DRAFT = "draft", _("草拟")
    SIGNED = "signed", _("已签发")
    SENT = "sent", _("已发送")
    ANSWERED = "answered", _("已答复")
    OVERDUE = "overdue", _("已逾期")
    REMINDED = "reminded", _("已催办")
    CLOSED_UNANSWERED = "closed_unanswered", _("未答复结束")


SETTLED_INQUIRY_STATUSES = (InquiryStatus.ANSWERED, InquiryStatus.CLOSED_UNANSWERED)


class InquiryAnswer(models.TextChoices):
    FOUND = "found", _("查到")
    NOT_FOUND = "not_found", _("未查到")
    CLUE = "clue", _("有线索")


class Inquiry(FSMModelMixin, models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="inquiries")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="inquiries")
    status = FSMField(
        _("状态"),
        max_length=20,
        choices=InquiryStatus.choices,
        default=InquiryStatus.DRAFT,
        protected=True,
    )
    due_date = models.DateField(_("答复期限"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answer = models.CharField(
        _("答复结果"), max_length=20, choices=InquiryAnswer.choices, blank=True
    )
    # Personal data from the answer (address, phone, employer, insured unit, notes) as JSON.
    answer_details = EncryptedTextField(_("答复内容"), blank=True)
    # A clue's assessment by the contact officer (研判线索): when, and whether it led to the
    # member (True) or was followed without result (False). Unset until assessed.
    clue_assessed_at = models.DateTimeField(_("线索研判时间"), null=True, blank=True)
    clue_confirmed = models.BooleanField(_("线索属实"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("部门协查")
        verbose_name_plural = _("部门协查")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "department"], name="one_inquiry_per_department"
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status"], name="inquiry_dept_status"),
            models.Index(fields=["status", "due_date"], name="inquiry_status_due"),
        ]

    def __str__(self) -> str:
        return f"case {self.case_id} → {self.department_id}"

    @property
    def locates_member(self) -> bool:
        """The department found the member: the case can stop waiting for the others."""
        return self.answer == InquiryAnswer.FOUND

    @property
    def needs_follow_up(self) -> bool:
        """A clue: the upper layer turns it into a follow-up task for the contact officer."""
        return self.answer == InquiryAnswer.CLUE

    # ---- transitions (called only from casework.services.inquiries) ------------------

    @transition(field=status, source=InquiryStatus.DRAFT, target=InquiryStatus.SIGNED)
    def sign(self) -> None:
        pass

    @transition(field=status, source=InquiryStatus.SIGNED, target=InquiryStatus.SENT)
    def send(self) -> None:
        pass

    @transition(
        field=status,
        source=[InquiryStatus.SENT, InquiryStatus.OVERDUE, InquiryStatus.REMINDED],
        target=InquiryStatus.ANSWERED,
    )
    def record_answer(self) -> None:
        pass

    @transition(
        field=status,
        source=[InquiryStatus.SENT, InquiryStatus.REMINDED],
        target=InquiryStatus.OVERDUE,
    )
    def mark_overdue(self) -> None:
        pass

    @transition(
        field=status,
        source=[InquiryStatus.OVERDUE, InquiryStatus.REMINDED],
        target=InquiryStatus.REMINDED,
    )
    def remind(self) -> None:
        pass

    @transition(
        field=status,
        source=[
            InquiryStatus.DRAFT,
            InquiryStatus.SIGNED,
            InquiryStatus.SENT,
            InquiryStatus.OVERDUE,
            InquiryStatus.REMINDED,
        ],
        target=InquiryStatus.CLOSED_UNANSWERED,
    )
    def close_unanswered(self) -> None:
        pass
