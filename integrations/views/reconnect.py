"""The public self-service page (no login) and the officer's pending-change review."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from casework.errors import DomainError, NotFound
from casework.selectors.members import member_get_for_user
from casework.selectors.prevention import contact_card_for
from integrations.models import ClueFollowUp
from integrations.services.reconnect import (
    LinkRefused,
    pending_change_decide,
    pending_changes_for_user,
    reconnect_confirm,
    reconnect_link_create,
    reconnect_link_resolve,
)
from integrations.views.errors import domain_errors

REFUSALS = {
    "tampered": _("链接无效：链接不完整或已被修改，请联系所在党支部重新获取。"),
    "expired": _("链接已过期，请联系所在党支部重新获取。"),
    "used": _("该链接已使用过，每个链接只能使用一次。如需再次确认，请联系所在党支部。"),
}


class ReconnectForm(forms.Form):
    phone = forms.CharField(label=_("新的联系电话（可选）"), required=False, max_length=30)
    residence = forms.CharField(label=_("新的住址（可选）"), required=False, max_length=200)


@never_cache
def reconnect_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = reconnect_link_resolve(token=token)
    except LinkRefused as refused:
        return render(
            request,
            "integrations/reconnect_refused.html",
            {"reason": REFUSALS[refused.reason]},
            status=410 if refused.reason != "tampered" else 400,
        )
    form = ReconnectForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            reconnect_confirm(
                token=token,
                phone=form.cleaned_data["phone"],
                residence=form.cleaned_data["residence"],
            )
        except LinkRefused as refused:
            return render(
                request,
                "integrations/reconnect_refused.html",
                {"reason": REFUSALS[refused.reason]},
                status=410,
            )
        except DomainError as exc:
            form.add_error("phone", str(exc.message))
        else:
            return render(request, "integrations/reconnect_done.html")
    card = contact_card_for(link.member.organisation)
    context = {"form": form, "card": card if card is not None and card.is_published else None}
    return render(request, "integrations/reconnect_page.html", context)


@login_required
def pending_changes(request: HttpRequest) -> HttpResponse:
    changes = pending_changes_for_user(user=request.user)
    follow_ups = ClueFollowUp.objects.filter(
        assignee_id=request.user.pk, done_at__isnull=True
    ).select_related("member")
    return render(
        request, "integrations/pending_changes.html", {"changes": changes, "follow_ups": follow_ups}
    )


@login_required
@require_POST
@domain_errors("/coordination/changes/")
def pending_change_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    change = pending_changes_for_user(user=request.user).filter(pk=pk).first()
    if change is None:
        raise NotFound(_("记录不存在。"))
    pending_change_decide(
        change=change, actor=request.user, accept=request.POST.get("decision") == "accept"
    )
    messages.success(request, _("已处理。"))
    return HttpResponseRedirect("/coordination/changes/")


@login_required
@require_POST
@domain_errors("/coordination/changes/")
def reconnect_send(request: HttpRequest, member_pk: int) -> HttpResponse:
    member = member_get_for_user(user=request.user, pk=member_pk)
    reconnect_link_create(member=member, actor=request.user)
    messages.success(request, _("自助确认链接已发送。"))
    return HttpResponseRedirect("/coordination/changes/")
