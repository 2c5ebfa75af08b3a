"""A tree without any 机关代字 or approving committee still lets cases start their flow; the
register form is the branch's own (no number needed)."""

from __future__ import annotations

import pytest

from casework.models import OrgKind, Role
from casework.services import cases as svc
from documents.models import Document
from tests.factories import make_member, make_org, make_user
from workflows.models import CaseProcess

pytestmark = pytest.mark.django_db


def test_a_case_opens_and_its_process_starts_with_the_branchs_unnumbered_register_form(
    django_capture_on_commit_callbacks, caplog: pytest.LogCaptureFixture
) -> None:
    committee = make_org("无代字党委", OrgKind.COMMITTEE)
    branch = make_org("无代字支部", OrgKind.BRANCH, committee)
    officer = make_user("lonely_officer", Role.CONTACT_OFFICER, branch)
    member = make_member(branch)
    with django_capture_on_commit_callbacks(execute=True):
        case = svc.case_open(member=member, actor=officer, circumstance="7")
    assert CaseProcess.objects.filter(case=case).exists()
    (form,) = Document.objects.filter(case=case)
    assert form.kind == "register_form" and form.issuer == branch and form.number is None
    assert member.name not in caplog.text
