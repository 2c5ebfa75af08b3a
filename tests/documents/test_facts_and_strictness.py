"""Facts from the case, never blanks: a missing fact is an error naming it, in the template
layer, when a step issues, and when a stored document is rendered; the legal text follows the
case's rule set."""

from __future__ import annotations

import datetime as dt

import pytest

from casework.models import Case, Proposal
from casework.policy import rules_by_code
from documents.facts import CaseRecords
from documents.facts.legal import regulation, rejoin_bar
from documents.facts.records import split_title
from documents.issuing import case_documents_issue
from documents.models import Document, DocumentStatus
from documents.render import Issuer, render_html
from documents.services import document_issue, document_render
from documents.templating import MissingFact
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_the_template_layer_raises_naming_the_missing_variable():
    with pytest.raises(MissingFact) as missing:
        render_html(
            kind="meeting_resolution",
            issuer=Issuer(mark="", name="测试第一党支部"),
            context={
                "title": "关于给予张三同志除名处置的决议",
                "title_lines": ["关于给予张三同志除名处置的决议"],
                "format": "plain",
                "signature": "测试第一党支部",
                "branch": "测试第一党支部",
                "subject": "给予张三同志除名处置",
                "member": {"name": "张三"},
                "reasons": "长期不参加组织生活。",
                "defence": {"given": "", "notified_on": "2026年3月1日", "until": "2026年3月8日"},
                "committee": "中共测试党委",
                "meeting": {"date": "2026年3月9日", "entitled": 9, "present": 8},
            },
            number="",
            verify_code="",
            draft=True,
        )
    assert missing.value.fact == "meeting.place"
    assert "meeting.place" in str(missing.value.message)


def test_a_filter_does_not_hide_a_missing_fact():
    from documents.templating import document_engine

    template = document_engine().from_string('{{ x|default:"空" }}')
    from django.template import Context

    with pytest.raises(MissingFact):
        template.render(Context({}))


def test_a_step_cannot_issue_a_document_with_a_fact_missing(world):
    case = Case.objects.create(
        member=make_member(world.branch), organisation=world.branch, rule_set="2024"
    )
    with pytest.raises(MissingFact) as missing:
        case_documents_issue(kinds=["talk_record"], case=case, actor=world.officer)
    assert missing.value.fact == "谈话记录"
    assert "谈话记录缺少必要事实" in str(missing.value.message)
    assert not Document.objects.exists()


def test_a_stored_document_missing_a_fact_fails_its_render_naming_it(world):
    document = document_issue(
        kind="register_form",
        issuer=world.branch,
        context={
            "title": "失联党员登记表",
            "title_lines": ["失联党员登记表"],
            "format": "plain",
            "signature": "测试第一党支部",
        },
        actor=world.officer,
    )
    with pytest.raises(MissingFact):
        document_render(document_id=document.pk)
    document.refresh_from_db()
    assert document.status == DocumentStatus.RENDER_FAILED
    assert document.render_error.startswith("MissingFact")
    assert "“member.name”" in document.render_error


def test_a_request_without_a_meeting_place_is_refused_not_printed_blank(world):
    case = Case.objects.create(
        member=make_member(world.branch), organisation=world.branch, rule_set="2024"
    )
    proposal = Proposal.objects.create(
        case=case,
        kind="remove",
        grounds=["slack_work"],
        reasons="长期不参加组织生活",
        notified_on=dt.date(2026, 3, 1),
        defence_until=dt.date(2026, 3, 8),
    )
    case.current_proposal = proposal
    case.save(update_fields=["current_proposal"])
    with pytest.raises(MissingFact) as missing:
        case_documents_issue(kinds=["request"], case=case, actor=world.secretary)
    assert missing.value.fact == "支部大会表决记录"


def test_the_rejoin_bar_is_printed_only_where_the_rule_set_has_it():
    rules_2024, rules_2019 = rules_by_code("2024"), rules_by_code("2019")
    assert "五年内不得重新入党" in rejoin_bar(rules_2024, "remove")
    assert "被劝退的，五年内不得重新入党" in rejoin_bar(rules_2024, "persuade")
    assert rejoin_bar(rules_2024, "suspend") == ""
    assert rejoin_bar(rules_2019, "remove") == ""
    assert rejoin_bar(rules_by_code("2016"), "persuade") == ""


def test_regulations_are_cited_by_their_real_names():
    rules_2024 = rules_by_code("2024")
    assert rules_2024.title == "中国共产党不合格党员组织处置办法"
    assert rules_2024.effective_from == dt.date(2024, 8, 29)
    assert regulation(rules_2024, "remove") == "中国共产党不合格党员组织处置办法"
    # lost-contact measures stay under the 2019 regulations
    assert regulation(rules_2024, "suspend") == "中国共产党党员教育管理工作条例"
    assert regulation(rules_by_code("2019"), "remove") == "中国共产党党员教育管理工作条例"
    assert "关于做好与党组织失去联系党员" in rules_by_code("2016").title


def test_a_case_opened_before_the_2024_rules_keeps_the_2019_text(world):
    case = Case.objects.create(
        member=make_member(world.branch), organisation=world.branch, rule_set="2019"
    )
    r = CaseRecords(case)
    assert r.rules.code == "2019" and rejoin_bar(r.rules, "remove") == ""


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("关于给予王䶮同志停止党籍处置的决定", ["关于给予王䶮同志停止党籍处置的决定"]),
        (
            "中共福州市委组织部关于协助查找失联党员的函",
            ["中共福州市委组织部关于", "协助查找失联党员的函"],
        ),
        (
            "关于给予吴国庆同志除名处置提议未获通过的决议",
            ["关于给予吴国庆同志除名", "处置提议未获通过的决议"],
        ),
    ],
)
def test_long_titles_break_by_meaning_never_leaving_a_character_alone(title, lines):
    assert split_title(title) == lines
    assert "".join(split_title(title)) == title
