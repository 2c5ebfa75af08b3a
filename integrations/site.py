"""viewflow Applications for integrations screens (appended to web.site)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from casework.access import REGISTER_ROLES, scope_paths
from casework.models import Role
from integrations.views import coordination, liaison, reconnect


def _is_liaison(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(scope_paths(user, (Role.LIAISON,)))


def _is_staff(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(scope_paths(user, REGISTER_ROLES))


class CoordinationApp(Application):
    title = _("协查送达")
    icon = "outgoing_mail"
    app_name = "coordination"
    menu_template_name = "integrations/menu.html"
    permission = staticmethod(_is_staff)
    index_path = path("", coordination.department_list, name="index")
    department_new_path = path(
        "departments/new/", coordination.department_edit, name="department_new"
    )
    department_edit_path = path(
        "departments/<int:pk>/", coordination.department_edit, name="department_edit"
    )
    channel_path = path("departments/<int:pk>/channel/", coordination.channel_edit, name="channel")
    letters_path = path("letters/", coordination.letter_list, name="letters")
    send_path = path("letters/send/", coordination.letters_send, name="letters_send")
    resend_path = path(
        "letters/<int:pk>/resend/", coordination.letter_resend_view, name="letter_resend"
    )
    print_path = path("letters/print/", coordination.print_queue, name="print_queue")
    reply_path = path("letters/<int:pk>/reply/", coordination.reply_upload, name="reply")
    changes_path = path("changes/", reconnect.pending_changes, name="changes")
    decide_path = path(
        "changes/<int:pk>/decide/", reconnect.pending_change_decide_view, name="change_decide"
    )
    reconnect_path = path(
        "members/<int:member_pk>/reconnect/", reconnect.reconnect_send, name="reconnect_send"
    )


class LiaisonApp(Application):
    title = _("协查答复")
    icon = "fact_check"
    app_name = "liaison"
    menu_template_name = None  # one page: the site menu is enough
    permission = staticmethod(_is_liaison)
    index_path = path("", liaison.inquiry_list, name="index")
    answer_path = path("<int:pk>/", liaison.inquiry_answer, name="answer")
