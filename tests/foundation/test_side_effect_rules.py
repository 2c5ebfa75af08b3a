"""The project lint rules (side effects, scoped reads) hold, and each rule does fire."""

from __future__ import annotations

import pytest

from tests.foundation.side_effect_rules import check_project, check_source


def test_the_project_dispatches_only_through_the_outbox_and_mails_only_from_integrations():
    assert [str(v) for v in check_project()] == []


@pytest.mark.parametrize(
    "source",
    [
        "from casework.tasks import t\nt.delay(1)\n",
        "import x\nx.task.apply_async((1,), countdown=3)\n",
        "from settings.celery import app\napp.send_task('a.b', args=[1])\n",
        "transaction.on_commit(lambda: task.delay(job_id))\n",
    ],
)
def test_direct_dispatch_is_refused_outside_the_relay(source: str) -> None:
    violations = check_source(source, "casework/services/example.py")
    assert [v.rule for v in violations] == ["dispatch-outside-outbox"]
    assert check_source(source, "integrations/outbox.py") == []


@pytest.mark.parametrize(
    "source",
    [
        "from django.core.mail import send_mail\n",
        "from django.core import mail\n",
        "import smtplib\n",
        "import django.core.mail.backends.smtp\n",
        "send_mass_mail([])\n",
        "mail.send_mail('s', 'b', None, ['a@b'])\n",
    ],
)
def test_mail_is_refused_outside_the_email_client(source: str) -> None:
    violations = check_source(source, "workflows/notify.py")
    assert violations and {v.rule for v in violations} == {"mail-outside-integrations"}
    assert check_source(source, "integrations/email/client.py") == []


def test_ordinary_code_passes() -> None:
    source = "from casework.outbox import outbox_enqueue\noutbox_enqueue('k', {'id': 1})\n"
    assert check_source(source, "casework/services/imports.py") == []


@pytest.mark.parametrize(
    "source",
    [
        "member = Member.objects.get(pk=pk)\n",
        "case = Case.objects.select_related('member').get(pk=pk)\n",
        "org = Organisation.objects.filter(code=code).get()\n",
        "user = get_user_model()._default_manager.get(username=name)\n",
        "case = get_object_or_404(Case, pk=pk)\n",
        "case = shortcuts.get_object_or_404(Case.objects.all(), pk=pk)\n",
    ],
)
def test_unscoped_fetches_are_refused_in_views(source: str) -> None:
    for path in ("web/cases/views.py", "web/api/views/cases.py", "integrations/views/a.py"):
        violations = check_source(source, path)
        assert [v.rule for v in violations] == ["unscoped-get-in-views"], path
    assert check_source(source, "workflows/case/views.py") != []
    assert check_source(source, "casework/selectors/cases.py") == []


@pytest.mark.parametrize(
    "source",
    [
        "case = case_get_for_user(user=request.user, pk=pk)\n",
        "case = get_object_or_404(case_list_for_user(user=request.user), pk=pk)\n",
        "case = get_object_or_404(cases, pk=pk)\n",
        "page = request.GET.get('page')\n",
        "relative = Relative.objects.filter(member=member, pk=pk).first()\n",
    ],
)
def test_scoped_fetches_pass_in_views(source: str) -> None:
    assert check_source(source, "web/cases/views.py") == []
