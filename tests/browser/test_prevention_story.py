"""Prevention in a real browser (issue #20): the branch secretary records a ledger handover (the
keeper confirms in their own session), a roll call, a going-abroad report, a mobile member's
certificate with the pre-departure talk, sends the branch's letter to its outgoing members,
holds 三会一课 and completes a record, and sees the branch's compliance and data-quality figures
change; the county coordinator sees them rolled up. A second story walks the other new
screens (search, contact duty, contact card, notices, training). Screenshots go to
var/screenshots/ (docs/screenshots is refreshed from there by the project's own command)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casework.models import (
    AbroadRecord,
    AuditEvent,
    BranchNoticeRecipient,
    ContactAttempt,
    DeliveryStatus,
    DepartureTalk,
    KeyGroup,
    LedgerHandover,
    LedgerKeeper,
    MemberLetterRound,
    MobileRecord,
    RollCall,
    TrainingRecord,
)
from casework.services.ledgers import ledger_keeper_assign
from casework.services.members import relative_add
from documents.models import Document, IssuerProfile
from tests.factories import build_world, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
TODAY = timezone.localdate()


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def figure(page: Any, name: str) -> str:
    """The figure's value, without the comparison with the previous period."""
    text = str(page.locator(f'[data-figure="{name}"]').first.inner_text()).strip()
    match = re.match(r"[0-9.]+%?", text)
    return match.group(0) if match else text


def _branch_members(world: Any) -> dict[str, Any]:
    officer = world.officer
    people = {
        name: make_member(
            world.branch, name=name, contact_officer=officer, occupation="教师", phone=phone
        )
        for name, phone in (
            ("林少华", "13905911234"),
            ("陈思远", "13905911235"),
            ("郑秀霞", "13905911236"),
        )
    }
    for member in people.values():
        relative_add(
            member=member,
            actor=None,
            data={"name": "家属", "relation": "配偶", "phone": "13800000000"},
        )
    # complete but for the occupation: the secretary fills it in during the story
    people["王建国"] = make_member(
        world.branch, name="王建国", contact_officer=officer, phone="13905911237"
    )
    relative_add(
        member=people["王建国"],
        actor=None,
        data={"name": "王母", "relation": "母亲", "phone": "13800000001"},
    )
    return people


def test_a_branch_secretary_keeps_the_ledgers_and_the_county_sees_the_figures(
    screens, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    world = build_world()
    people = _branch_members(world)
    make_member(world.sibling_branch, name="赵二", occupation="工人")
    ledger_keeper_assign(organisation=world.branch, keeper=world.officer, since=TODAY, actor=None)
    # the branch's contact line, as a configured branch has it (its letters print it)
    IssuerProfile.objects.create(
        organisation=world.branch, contact_person="林晓东", contact_phone="0591-87654321"
    )
    branch = f"/prevention/organisations/{world.branch.pk}/"

    secretary = screens.login("secretary")
    # the branch's figures before: no 三会一课 held, one record incomplete
    secretary.goto(screens.url(f"/dashboard/?org={world.branch.pk}"))
    assert figure(secretary, "org_life_rate") == "0.0%"
    quality_before = figure(secretary, "data_quality_rate")
    assert quality_before == "75.0%"  # 王建国 lacks an occupation

    # 1. The ledger handover: the keeper (officer) hands over to the secretary.
    secretary.goto(screens.url(branch))
    expect(secretary.locator("#keeper")).to_contain_text("用户")
    shot(secretary, "prevention-branch")
    secretary.locator("#handover-new").click()
    secretary.wait_for_url("**/handovers/new/")
    secretary.get_by_label("接收人").select_option(str(world.secretary.pk))
    for check in ("台账齐全，无缺页", "台账已更新至交接日", "未办结事项已逐项说明"):
        secretary.get_by_label(check).check()
    secretary.get_by_label("交接清单（册数、份数、未办结事项）").fill(
        "花名册1册（含电子版）\n组织关系介绍信存根12份，回执10份\n未办结：回执2份待退回"
    )
    secretary.locator("#handover-form button[type=submit]").click()
    expect(secretary.locator("#handover")).to_be_visible()
    handover = LedgerHandover.objects.get()
    secretary.locator("#confirm-handover").click()
    expect(secretary.locator("#receiver-signed")).to_be_visible()
    officer = screens.login("officer")
    officer.goto(screens.url(f"/prevention/handovers/{handover.pk}/"))
    officer.locator("#confirm-handover").click()
    expect(officer.locator("#giver-signed")).to_be_visible()
    assert LedgerKeeper.objects.get(organisation=world.branch).keeper_id == world.secretary.pk
    secretary.goto(screens.url(f"/prevention/handovers/{handover.pk}/"))
    secretary.locator("#record-issue").click()
    expect(secretary.locator("#record-download")).to_be_visible()
    shot(secretary, "prevention-handover")
    with secretary.expect_download() as download:
        secretary.locator("#record-download").click()
    assert Path(download.value.path()).read_bytes()[:4] == b"%PDF"
    record = Document.objects.get(pk=LedgerHandover.objects.get().record_document_id or 0)
    assert record.kind == "handover_record"

    # 2. A roll call: everyone but 陈思远 answers; the silent member goes to the officer.
    secretary.goto(screens.url(branch))
    secretary.locator("#roll-call-new").click()
    secretary.wait_for_url("**/roll-calls/new/")
    for name in ("林少华", "郑秀霞", "王建国"):
        secretary.get_by_label(name).check()
    secretary.locator("#roll-call-form button[type=submit]").click()
    expect(secretary.locator("#roll-call-entries")).to_contain_text("未应答，已交包干联系人跟进")
    shot(secretary, "prevention-roll-call")
    roll_call = RollCall.objects.get()
    assert roll_call.entries.filter(answered=False).get().member == people["陈思远"]

    # 3. A going-abroad report for 郑秀霞.
    secretary.goto(screens.url(f"{branch}abroad/new/"))
    secretary.locator("#id_member").select_option(str(people["郑秀霞"].pk))
    secretary.get_by_label("前往国家（地区）").fill("新加坡")
    secretary.get_by_label("事由").fill("探亲")
    secretary.locator("#abroad-form button[type=submit]").click()
    expect(secretary.locator("#abroad")).to_contain_text("新加坡")
    shot(secretary, "prevention-abroad")
    assert AbroadRecord.objects.get().member == people["郑秀霞"]

    # 4. A mobile member's certificate with the pre-departure talk (leaving for 8 months).
    secretary.goto(screens.url(f"{branch}mobile/new/"))
    secretary.locator("#id_member").select_option(str(people["林少华"].pk))
    secretary.get_by_label("流动党员活动证号").fill("榕流〔2026〕018")
    secretary.get_by_label("流入地").fill("广东省深圳市南山区")
    secretary.get_by_label("预计外出月数").fill("8")
    secretary.get_by_label("谈话人").select_option(str(world.officer.pk))
    secretary.get_by_label("谈话要点").fill(
        "外出期间每半年向党支部报告一次，就近参加流入地党组织活动"
    )
    shot(secretary, "prevention-mobile-form")
    secretary.locator("#mobile-form button[type=submit]").click()
    expect(secretary.locator("#mobile-record")).to_contain_text("榕流〔2026〕018")
    expect(secretary.locator("#talks")).to_contain_text("每半年")
    shot(secretary, "prevention-mobile")
    assert DepartureTalk.objects.get().mobile_record == MobileRecord.objects.get()

    # 5. The branch's letter to its outgoing members (the mobile and the abroad member).
    secretary.goto(screens.url(branch))
    secretary.locator("#letters-send button").click()
    expect(secretary.locator("#letters")).to_contain_text("林少华")
    expect(secretary.locator("#letters")).to_contain_text("郑秀霞")
    shot(secretary, "prevention-letters")
    letter_round = MemberLetterRound.objects.get()
    assert letter_round.letters == 2
    assert ContactAttempt.objects.filter(channel="letter").count() == 2

    # 6. 三会一课 this month, and the missing occupation filled in from the quality page.
    for kind in ("branch_committee", "party_group", "branch_general", "party_lecture"):
        secretary.goto(screens.url(f"{branch}meetings/new/"))
        secretary.select_option("select[name=kind]", kind)
        secretary.get_by_role("button", name="保存").click()
        expect(secretary.locator("#meetings")).to_be_visible()
    secretary.goto(screens.url(f"/prevention/quality/?org={world.branch.pk}"))
    expect(secretary.locator('[data-issue="no_occupation"]')).to_have_text("1")
    shot(secretary, "prevention-data-quality")
    secretary.locator(f'tr[data-member="{people["王建国"].pk}"]').get_by_role(
        "link", name="补充信息"
    ).click()
    secretary.wait_for_url("**/edit/")
    secretary.get_by_label("工作岗位").fill("会计")
    secretary.get_by_role("button", name="保存").click()
    expect(secretary.get_by_text("党员信息已保存").first).to_be_visible()

    # 7. The branch's figures changed.
    secretary.goto(screens.url(f"/dashboard/?org={world.branch.pk}"))
    assert figure(secretary, "org_life_rate") == "100.0%"
    assert figure(secretary, "data_quality_rate") == "100.0%"

    # 8. The county coordinator sees them rolled up, and every branch's 三会一课.
    coordinator = screens.login("coordinator")
    coordinator.goto(screens.url("/dashboard/"))
    expect(coordinator.locator('[data-figure="org_life_ok"]')).to_have_text("1 / 3")
    committee_row = coordinator.locator(f'#prevention-table tr[data-org="{world.committee.pk}"]')
    expect(committee_row).to_contain_text("50")  # one of the committee's two branches
    coordinator.locator("#prevention-table").scroll_into_view_if_needed()
    shot(coordinator, "dashboard-prevention")
    coordinator.goto(screens.url("/prevention/org-life/"))
    expect(coordinator.locator(f'tr[data-branch="{world.branch.pk}"]')).to_contain_text("按期")
    expect(coordinator.locator(f'tr[data-branch="{world.other_branch.pk}"]')).to_contain_text(
        "未按期"
    )
    shot(coordinator, "prevention-org-life")
    assert AuditEvent.objects.filter(action="ledger.handover_record").count() == 1


def test_search_contact_duty_card_notices_and_training_in_the_browser(screens) -> None:
    world = build_world()
    lin = make_member(
        world.branch,
        name="林少华",
        key_groups=KeyGroup.MIGRANT,
        contact_officer=world.officer,
        last_contact_date=TODAY - dt.timedelta(days=40),
        phone="13905911234",
    )
    make_member(world.branch, name="陈思远", contact_officer=world.officer, phone="13905911235")
    make_member(world.other_branch, name="林少伟")

    officer = screens.login("officer")
    officer.goto(screens.url("/register/search/"))
    officer.get_by_label("姓名、拼音或首字母、身份证号后4至6位、电话号码").fill("lsh")
    officer.get_by_role("button", name="查找").click()
    expect(officer.locator("#search-results")).to_contain_text("林少华")
    expect(officer.locator("#search-results")).not_to_contain_text("林少伟")
    expect(officer.locator("#search-results")).to_contain_text("139****1234")
    shot(officer, "register-search")
    officer.goto(screens.url("/prevention/duty/"))
    expect(officer.locator(f'tr[data-member="{lin.pk}"] .ll-overdue')).to_be_visible()
    shot(officer, "prevention-duty")

    secretary = screens.login("secretary")
    branch = f"/prevention/organisations/{world.branch.pk}/"
    secretary.goto(screens.url(f"{branch}card/"))
    secretary.fill("#id_name_0", "林书记")
    secretary.fill("#id_duty_0", "支部书记")
    secretary.fill("#id_phone_0", "0591-87650001")
    secretary.get_by_label("支部联络固定电话").fill("0591-87654321")
    secretary.get_by_label("网上联络平台").fill("福州党员e家")
    secretary.locator("#card-form button[type=submit]").click()
    expect(secretary.locator("#card-link")).to_be_visible()
    secretary.locator("#card-link").click()
    expect(secretary.locator("#branch-card")).to_contain_text("0591-87654321")
    shot(secretary, "branch-card")

    secretary.goto(screens.url(f"{branch}notices/new/"))
    secretary.get_by_label("标题").fill("主题党日活动通知")
    secretary.get_by_label("内容（最多300字）").fill(
        "本周六上午九点在支部活动室开展主题党日活动，请准时参加。"
    )
    secretary.locator("#notice-form button[type=submit]").click()
    expect(secretary.locator("#notice-sent")).to_have_text("2 / 2")
    shot(secretary, "prevention-notice")
    assert BranchNoticeRecipient.objects.filter(status=DeliveryStatus.SENT).count() == 2
    assert ContactAttempt.objects.filter(channel="sms").count() == 2

    secretary.goto(screens.url(f"{branch}training/new/"))
    secretary.get_by_label("培训类别").select_option("oath")
    secretary.get_by_label("培训内容").fill("重温入党誓词")
    secretary.get_by_label("林少华").check()
    secretary.get_by_label("陈思远").check()
    secretary.locator("#training-form button[type=submit]").click()
    expect(secretary.locator("#training")).to_contain_text("重温入党誓词")
    shot(secretary, "prevention-training")
    assert TrainingRecord.objects.count() == 2
