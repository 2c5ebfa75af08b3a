"""The tour of the demo story: which user to open for which part of it.

`make up` prints it under the logins, the README opens with it (one screenshot per stop,
taken by tests/browser/test_tour.py, which also checks every stop shows what it promises).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from casework.models import Case, Member
from workflows.devdata.story import CAST


@dataclass(frozen=True)
class Stop:
    username: str
    where: str  # the menu path, as the screens name it
    what: str  # what waits there
    path: str  # the page to open
    shows: tuple[str, ...]  # text the page must show (the browser test checks it)
    shot: str  # screenshot file name (without .png)

    def line(self) -> str:
        return f"  {self.username:<15} {self.where}: {self.what}"


def _name(key: str) -> str:
    return CAST[key].name


def tour(members: dict[str, Member]) -> list[Stop]:
    """The stops, with links to the pages of the story's `members` (StoryResult.members)."""
    n = _name

    def case_url(key: str) -> str:
        found = Case.objects.filter(member=members[key]).order_by("-pk").first()
        return reverse("cases:detail", args=[found.pk]) if found else reverse("cases:index")

    return [
        Stop(
            "officer1",
            "任务队列 → 我的待办",
            f"an outreach in progress ({n('progress')}: two attempts logged, the minimum "
            "still needs one more and a relative); open it to call and log in one tap",
            reverse("queues:index"),
            (n("progress"), "联系查找"),
            "tour-1-officer-inbox",
        ),
        Stop(
            "officer1",
            "任务队列 → 待认领",
            f"an outreach to claim ({n('claim')}, opened by the lost-contact sweep)",
            reverse("queues:queue"),
            (n("claim"),),
            "tour-2-officer-claim",
        ),
        Stop(
            "officer1",
            "失联预防",
            f"the at-risk list ({n('risk2')}, {n('risk1')} … nearing six months without contact)",
            reverse("prevention:index"),
            (n("risk2"), n("risk1")),
            "tour-3-officer-at-risk",
        ),
        Stop(
            "coordinator",
            "任务队列 → 待认领",
            f"inquiries to request and sign ({n('sign')}: 发起部门协查)",
            reverse("queues:queue"),
            (n("sign"), "发起部门协查"),
            "tour-4-coordinator-inquiries",
        ),
        Stop(
            "coordinator",
            "协查送达 → 打印队列",
            f"a letter to print and send (the inquiry about {n('letter')} to public security)",
            reverse("coordination:print_queue"),
            ("福州市公安部门",),
            "tour-5-coordinator-letters",
        ),
        Stop(
            "liaison_gongan",
            "协查答复",
            f"an inquiry to answer ({n('liaison')})",
            reverse("liaison:index"),
            (n("liaison"), "已发送"),
            "tour-6-liaison",
        ),
        Stop(
            "secretary1",
            "任务队列 → 待认领",
            f"a proposal to make ({n('propose')}, not located) and a branch meeting to record "
            f"({n('meeting')}, correction proposed)",
            reverse("queues:queue"),
            (n("propose"), "处置提议", n("meeting"), "支部大会表决"),
            "tour-7-secretary",
        ),
        Stop(
            "approver_edu",
            "任务队列 → 审批队列",
            f"an approval waiting (suspension of {n('approval')}, proposed by secretary1, "
            "voted by the branch meeting)",
            reverse("queues:approvals"),
            (n("approval"), "停止党籍"),
            "tour-8-approver",
        ),
        Stop(
            "officer1",
            f"失联案件 → {n('suspended')}",
            "a suspension in force with its two-year clock, and the documents issued along the way",
            case_url("suspended"),
            ("停止党籍", "停止党籍期满"),
            "tour-9-suspension",
        ),
        Stop(
            "officer1",
            f"失联案件 → {n('correction')}",
            "a correction in its review period (限期改正, three months, then the review)",
            case_url("correction"),
            ("限期改正", "限期改正期满"),
            "tour-10-correction",
        ),
        Stop(
            "officer1",
            f"失联案件 → {n('restored')}",
            "a restored member (suspended, reappeared, restoration approved by the "
            "organisation department; the case is closed)",
            case_url("restored"),
            (n("restored"), "恢复党籍", "已结案"),
            "tour-11-restored",
        ),
        Stop(
            "inspector",
            "考核统计",
            "dashboard figures: lost-contact rate, cases by stage, located and suspended",
            reverse("dashboard:index"),
            ("失联率",),
            "tour-12-dashboard",
        ),
    ]
