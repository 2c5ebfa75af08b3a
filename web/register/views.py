"""Register screens. Every read goes through a selector; every write through a service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import errors
from casework.access import may_edit_member, may_reveal_member
from casework.exports import roster_export
from casework.member_data import mask_value
from casework.models import ImportStatus, Member, Relative
from casework.rejoin import rejoin_bar
from casework.selectors.members import (
    import_job_get_for_user,
    member_get_for_user,
    member_history_for_user,
    member_list_for_user,
)
from casework.selectors.organisations import (
    organisation_get_for_user,
    organisation_list_for_user,
    organisation_list_for_writer,
)
from casework.selectors.prevention import staff_of
from casework.services.imports import import_job_start
from casework.services.members import (
    member_register,
    member_reveal,
    member_update,
    relative_add,
    relative_remove,
)
from web.register.forms import (
    ImportForm,
    MemberCreateForm,
    MemberFilterForm,
    MemberForm,
    RelativeForm,
)
from web.typing import AuthedRequest
from workflows.models import TaskState
from workflows.selectors import task_get_for_user

PAGE_SIZE = 50


def _member_or_404(request: HttpRequest, pk: int) -> Member:
    try:
        return member_get_for_user(user=request.user, pk=pk)
    except errors.NotFound as exc:
        raise Http404 from exc


def _url(name: str, *args: Any) -> str:
    return reverse(f"register:{name}", args=args)


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    organisations = organisation_list_for_user(user=request.user)
    form = MemberFilterForm(request.GET or None, organisations=organisations)
    members = member_list_for_user(user=request.user).select_related("organisation")
    if form.is_valid():
        data = form.cleaned_data
        if data["organisation"]:
            members = members.filter(organisation__path__startswith=data["organisation"].path)
        if data["key_group"]:
            bit = data["key_group"]  # key_groups is a bitmask
            members = members.alias(group_bit=F("key_groups").bitand(bit)).filter(group_bit=bit)
        if data["status"]:
            members = members.filter(status=data["status"])
        if data["membership_type"]:
            members = members.filter(membership_type=data["membership_type"])
    members = members.order_by("organisation__path", "name", "pk")
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "member": m,
            "id_number": mask_value("id_number", m.id_number),
            "phone": mask_value("phone", m.phone),
        }
        for m in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/register/member_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "may_create": organisation_list_for_writer(user=request.user).exists(),
        },
    )


def _detail_context(request: HttpRequest, member: Member) -> dict[str, Any]:
    relatives = [
        {
            "relative": r,
            "phone": mask_value("phone", r.phone),
            "address": mask_value("address", r.address),
        }
        for r in member.relatives.order_by("pk")
    ]
    return {
        "member": member,
        "masked": {
            name: mask_value(name, getattr(member, name))
            for name in ("id_number", "phone", "phone_alt", "residence")
        },
        "relatives": relatives,
        "history": member_history_for_user(user=request.user, member=member)[:50],
        "may_edit": may_edit_member(request.user, member.organisation),
        "may_reveal": may_reveal_member(request.user, member),
        "relative_form": RelativeForm(),
        "key_groups": member.key_group_list(),
        "rejoin_bar": rejoin_bar(member),
    }


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_or_404(request, pk)
    return render(request, "web/register/member_detail.html", _detail_context(request, member))


@login_required
@require_POST
def member_reveal_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Shows plaintext once, in this response only (never stored in the session or a URL)."""
    member = _member_or_404(request, pk)
    try:
        revealed = member_reveal(
            member=member,
            actor=request.user,
            fields=["id_number", "phone", "phone_alt", "residence", "relatives"],
        )
    except errors.NotFound as exc:
        raise Http404 from exc
    except errors.PermissionDenied as exc:
        raise HttpForbidden(str(exc.message)) from exc
    context = _detail_context(request, member)
    context["revealed"] = revealed
    response = render(request, "web/register/member_detail.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _outreach_task_url(request: HttpRequest, member: Member) -> str | None:
    """The execute URL of the outreach task named in the POST, if the user holds it and it is
    this member's case's; None otherwise (the call is then logged as a plain contact)."""
    raw = request.POST.get("task", "")
    if not raw.isdigit():
        return None
    try:
        row: Any = task_get_for_user(user=request.user, task_id=int(raw))
    except errors.NotFound:
        return None
    holder = row.owner_id == request.user.pk and row.state == TaskState.ASSIGNED
    if not holder or row.node != "outreach" or row.case.member_id != member.pk:
        return None
    return reverse("workflows:outreach:execute", args=[row.process_id, row.task_id])


@login_required
@require_POST
def member_call_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """The officer's phone: reveal the member's phone (audited), call it, log the outcome in
    one tap — on the outreach task the officer holds, else as a plain contact attempt. The
    number is in this response only (no-store), never in a URL."""
    member = _member_or_404(request, pk)
    try:
        revealed = member_reveal(member=member, actor=request.user, fields=["phone"])
    except errors.NotFound as exc:
        raise Http404 from exc
    except errors.PermissionDenied as exc:
        raise HttpForbidden(str(exc.message)) from exc
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("prevention:index")
    task_url = _outreach_task_url(request, member)
    phone = str(revealed.get("phone") or "")
    context = {
        "member": member,
        "phone": phone,
        "tel": "".join(ch for ch in phone if ch.isdigit() or ch == "+"),
        "task_url": task_url,
        "back": task_url or back,
    }
    response = render(request, "web/register/call.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def member_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    member = _member_or_404(request, pk)
    if not may_edit_member(request.user, member.organisation):
        raise HttpForbidden(_("您的角色只能查看，不能修改党员信息。"))
    form = MemberForm(
        request.POST or None,
        initial=MemberForm.initial_for(member),
        officers=staff_of(member.organisation),
    )
    if request.method == "POST" and form.is_valid():
        saved = _saved(
            request,
            form,
            lambda: member_update(member=member, actor=request.user, changes=form.changes()),
            _("党员信息已保存。"),
        )
        if saved is not None:
            return saved
    for name in ("id_number", "phone", "phone_alt", "residence"):
        current = mask_value(name, getattr(member, name)) or "—"
        form.fields[name].help_text = _("当前：%(value)s；留空表示不修改") % {"value": current}
    return render(request, "web/register/member_edit.html", {"member": member, "form": form})


@login_required
def member_new(request: AuthedRequest) -> HttpResponse:
    """新增党员: member_register (the same service as POST /api/v1/members/) into one of the
    organisations where the user may change the register."""
    organisations = organisation_list_for_writer(user=request.user)
    if not organisations.exists():
        raise HttpForbidden(_("您的角色只能查看，不能修改党员信息。"))
    form = MemberCreateForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        saved = _saved(
            request,
            form,
            lambda: member_register(
                organisation=form.cleaned_data["organisation"],
                actor=request.user,
                values=form.values(),
            ),
            _("党员已登记。"),
        )
        if saved is not None:
            return saved
    return render(request, "web/register/member_create.html", {"form": form})


def _saved(
    request: AuthedRequest, form: Any, write: Callable[[], Member], done: str
) -> HttpResponse | None:
    """Run the register's write for a valid form: its refusals go onto the form (None: show
    it again), else its warnings and `done` are flashed and the member's page follows."""
    try:
        member = write()
    except errors.InvalidData as exc:
        for name, message in exc.errors.items():
            form.add_error(name if name in form.fields else None, message)
        return None
    except errors.NotFound as exc:
        raise Http404 from exc
    except errors.DomainError as exc:
        form.add_error(None, str(exc.message))
        return None
    for warning in getattr(member, "warnings", []):
        messages.warning(request, warning)
    messages.success(request, done)
    return redirect(_url("detail", member.pk))


@login_required
@require_POST
def relative_add_view(request: AuthedRequest, pk: int) -> HttpResponse:
    member = _member_or_404(request, pk)
    form = RelativeForm(request.POST)
    if form.is_valid():
        try:
            relative_add(member=member, actor=request.user, data=form.cleaned_data)
        except errors.NotFound as exc:
            raise Http404 from exc
        except errors.PermissionDenied as exc:
            raise HttpForbidden(str(exc.message)) from exc
        except errors.DomainError as exc:
            detail = getattr(exc, "errors", {})
            messages.error(request, "；".join([str(exc.message), *detail.values()]))
        else:
            messages.success(request, _("已添加亲属。"))
    else:
        messages.error(request, _("请填写亲属的姓名和关系。"))
    return redirect(_url("detail", member.pk))


@login_required
@require_POST
def relative_remove_view(request: AuthedRequest, pk: int, relative_pk: int) -> HttpResponse:
    member = _member_or_404(request, pk)
    relative = Relative.objects.filter(member=member, pk=relative_pk).first()
    if relative is None:
        raise Http404
    try:
        relative_remove(relative=relative, actor=request.user)
    except errors.NotFound as exc:
        raise Http404 from exc
    except errors.PermissionDenied as exc:
        raise HttpForbidden(str(exc.message)) from exc
    messages.success(request, _("已删除亲属。"))
    return redirect(_url("detail", member.pk))


@login_required
def import_start(request: AuthedRequest) -> HttpResponse:
    organisations = organisation_list_for_writer(user=request.user)
    form = ImportForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_start(
                organisation=form.cleaned_data["organisation"],
                actor=request.user,
                upload=upload,
                original_name=upload.name,
                dry_run=form.cleaned_data["dry_run"],
                atomic=form.cleaned_data["atomic"],
            )
        except errors.DomainError as exc:
            form.add_error("file", str(exc.message))
        else:
            return redirect(_url("import_job", job.pk))
    return render(request, "web/register/import_start.html", {"form": form})


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        job = import_job_get_for_user(user=request.user, pk=pk)
    except errors.NotFound as exc:
        raise Http404 from exc
    running = job.status in (ImportStatus.PENDING, ImportStatus.RUNNING)
    return render(request, "web/register/import_job.html", {"job": job, "running": running})


@login_required
def roster_export_view(request: AuthedRequest) -> HttpResponse:
    try:
        organisation = organisation_get_for_user(user=request.user, pk=request.GET.get("org", ""))
        data, _count, _full = roster_export(user=request.user, organisation=organisation)
    except errors.NotFound as exc:
        raise Http404 from exc
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="roster-{organisation.pk}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
