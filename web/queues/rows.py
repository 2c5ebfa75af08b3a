"""The queue table's rows, rendered in Python.

A queue page shows 50 rows of ten cells with three small forms each; through the template
engine that cost ~1 ms a row (four URL reversals, ~40 variable lookups), more than all the
page's SQL. Here the URLs are reversed once per page and each row is one format_html call.
The markup is the template's (tests and the browser rely on its data-* attributes).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.middleware.csrf import get_token
from django.template.defaultfilters import date as date_filter
from django.templatetags.tz import localtime
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from casework.models import CaseStatus
from casework.selectors.step_facts import ProposalSummary, proposal_summaries
from web.templatetags.lianluo import key_group_labels
from workflows.case.steps import STEP_TITLES

SENTINEL = 987654321


def _pattern(name: str, *args: int) -> str:
    """A reversed URL with SENTINEL where the last argument goes (the patterns are ints)."""
    return reverse(name, args=[*args, SENTINEL])


class _Urls:
    def __init__(self) -> None:
        self.case = _pattern("cases:detail")
        self.claim = _pattern("queues:claim")
        self.release = _pattern("queues:release")
        self.reassign = _pattern("queues:reassign")
        self._execute: dict[str, str] = {}

    def execute(self, node: str, process_id: int, task_id: int) -> str:
        if node not in self._execute:
            self._execute[node] = reverse(
                f"workflows:{node}:execute", args=[SENTINEL - 1, SENTINEL]
            )
        return (
            self._execute[node]
            .replace(str(SENTINEL - 1), str(process_id), 1)
            .replace(str(SENTINEL), str(task_id), 1)
        )

    @staticmethod
    def fill(pattern: str, value: int) -> str:
        return pattern.replace(str(SENTINEL), str(value), 1)


def _action_form(url: str, hidden: SafeString, action: str, label: str) -> SafeString:
    return format_html(
        '<form method="post" action="{}" style="display:inline">{}<button type="submit" '
        'class="mdc-button" data-action="{}"><span class="mdc-button__label">{}</span>'
        "</button></form>",
        url,
        hidden,
        action,
        label,
    )


def _proposal_cell(proposal: ProposalSummary | None, labels: dict[str, str]) -> SafeString:
    """The proposal an approval or pre-review decides: kind, grounds, proposer, the branch
    meeting's vote, and the reasons."""
    if proposal is None:
        return format_html('<td data-label="{}">—</td>', labels["proposal"])
    grounds = "、".join(proposal.grounds)
    return format_html(
        '<td data-label="{}" class="ll-proposal" data-proposal="{}"><strong>{}</strong>{}'
        '<br><span class="ll-caption">{}</span><br><span class="ll-caption">{}</span>'
        '<div class="ll-reasons">{}</div></td>',
        labels["proposal"],
        proposal.kind_code,
        proposal.kind,
        format_html("（{}）", grounds) if grounds else "",
        _("提议人：%(name)s") % {"name": proposal.proposer},
        proposal.vote_text(),
        proposal.reasons,
    )


def render_rows(rows: Iterable[Any], *, request: Any, kind: str) -> SafeString:
    urls = _Urls()
    hidden = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="next" value="{}">',
        get_token(request),
        request.get_full_path(),
    )
    labels = {
        "task": _("任务"),
        "member": _("党员"),
        "branch": _("党支部"),
        "stage": _("案件环节"),
        "since": _("距上次联系（天）"),
        "due": _("办理期限"),
        "groups": _("重点群体"),
        "owner": _("办理人"),
        "actions": _("操作"),
        "proposal": _("处置提议"),
        "overdue": _("逾期"),
        "unclaimed": _("待认领"),
        "claim": _("认领"),
        "release": _("退回队列"),
        "reassign": _("转办"),
        "to": _("接收人（用户名）"),
        "reason": _("原因"),
    }
    # Labels translated once per page, not once per row.
    steps = {node: str(title) for node, title in STEP_TITLES.items()}
    stages = {value: str(label) for value, label in CaseStatus.choices}
    groups: dict[int, str] = {}
    user_id = request.user.pk
    rows = list(rows)
    # The approval queue shows what is decided beside each task (two queries a page).
    proposals = (
        proposal_summaries(row.case.current_proposal_id for row in rows)
        if kind == "approvals"
        else {}
    )
    html = []
    for row in rows:
        task_id = row.task_id
        title = steps.get(row.node, row.node)
        if kind == "archive":
            step = format_html("{}", title)
        else:
            execute = urls.execute(row.node, row.process_id, task_id)
            step = format_html('<a href="{}">{}</a>', execute, title)
        owner = row.owner
        actions: SafeString = mark_safe("")
        if kind != "archive":
            if owner is None:
                claim = _action_form(
                    urls.fill(urls.claim, task_id), hidden, "claim", labels["claim"]
                )
            elif row.owner_id == user_id:
                claim = _action_form(
                    urls.fill(urls.release, task_id), hidden, "release", labels["release"]
                )
            else:
                claim = mark_safe("")
            actions = format_html(
                '{}<details style="display:inline-block"><summary>{}</summary>'
                '<form method="post" action="{}">{}'
                '<label for="to-{}">{}</label> <input type="text" id="to-{}" name="to" required>'
                ' <label for="reason-{}">{}</label> '
                '<input type="text" id="reason-{}" name="reason"> '
                '<button type="submit" class="mdc-button mdc-button--outlined">'
                '<span class="mdc-button__label">{}</span></button></form></details>',
                claim,
                labels["reassign"],
                urls.fill(urls.reassign, task_id),
                hidden,
                task_id,
                labels["to"],
                task_id,
                task_id,
                labels["reason"],
                task_id,
                labels["reassign"],
            )
        member = row.case.member
        since = row.since_contact
        bits = member.key_groups
        if bits not in groups:
            groups[bits] = key_group_labels(bits)
        proposal = (
            _proposal_cell(proposals.get(row.case.current_proposal_id or 0), labels)
            if kind == "approvals"
            else mark_safe("")
        )
        html.append(
            format_html(
                '<tr data-task="{}" data-case="{}"><td data-label="{}" class="ll-card-title">{}'
                '</td><td data-label="{}"><a href="{}">{}</a></td><td data-label="{}">{}</td>'
                '<td data-label="{}">{}</td><td data-label="{}">{}</td><td data-label="{}">{}'
                '</td><td>{}</td><td data-label="{}">{}</td><td data-label="{}">{}</td>{}'
                '<td class="ll-card-actions">{}</td></tr>',
                task_id,
                row.case_id,
                labels["task"],
                step,
                labels["member"],
                urls.fill(urls.case, row.case_id),
                member.name,
                labels["branch"],
                row.organisation.name,
                labels["stage"],
                stages.get(row.case.status, row.case.status),
                labels["since"],
                since.days if since is not None else "—",
                labels["due"],
                date_filter(localtime(row.due_at), "Y-m-d") if row.due_at else "",
                format_html('<span class="ll-overdue">{}</span>', labels["overdue"])
                if row.is_overdue
                else "",
                labels["groups"],
                groups[bits],
                labels["owner"],
                (owner.get_full_name() or owner.username) if owner else labels["unclaimed"],
                proposal,
                actions,
            )
        )
    if not html:
        return format_html('<tr><td colspan="11">{}</td></tr>', _("暂无任务。"))
    return format_html_join("\n", "{}", ((row,) for row in html))
