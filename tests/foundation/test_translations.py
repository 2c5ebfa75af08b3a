"""The English catalogue: complete, placeholders intact, compiled .mo in step with the .po,
English screens on request (language cookie), Chinese by default, documents always Chinese.

Reads the .po with a small parser and the .mo with the standard library: neither gettext
tools nor polib are needed to run this (or the app)."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"
HAN = re.compile(r"[\u4e00-\u9fff]")
# %(name)s / %(n)d, bare %s / %d, and str.format fields {name}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def read_po(path: Path) -> list[Entry]:
    """The active (non-obsolete) entries of a .po file, header excluded."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] = ("msgid", 0)

    def flush() -> None:
        nonlocal current
        if current.line:
            entries.append(current)
        current = Entry()

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                flush()
            continue
        if line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            text = ast.literal_eval(line)
        else:
            text = ast.literal_eval(rest)
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if keyword == "msgid":
                current.line = number
                target = ("msgid", 0)
            elif keyword == "msgid_plural":
                target = ("msgid_plural", 0)
                current.msgid_plural = ""
            elif keyword == "msgstr" or match:
                target = ("msgstr", int(match.group(1)) if match else 0)
                current.msgstr[target[1]] = ""
            else:  # msgctxt: the project uses none; keep the parser honest
                raise AssertionError(f"{path}:{number}: unexpected {keyword}")
        if target[0] == "msgid":
            current.msgid += text
        elif target[0] == "msgid_plural":
            current.msgid_plural = (current.msgid_plural or "") + text
        else:
            current.msgstr[target[1]] += text
    flush()
    return [entry for entry in entries if entry.msgid]


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    return read_po(PO_PATH)


def test_the_catalogue_covers_the_ui(catalogue: list[Entry]) -> None:
    msgids = {entry.msgid for entry in catalogue}
    assert len(catalogue) > 800
    # one string from every app
    for msgid in ("失联案件", "我的待办", "协查部门名录", "公文核验", "案件办理", "English"):
        assert msgid in msgids


def test_every_string_is_translated_and_none_is_fuzzy(catalogue: list[Entry]) -> None:
    untranslated = [
        entry.msgid
        for entry in catalogue
        if not entry.msgstr or not all(text.strip() for text in entry.msgstr.values())
    ]
    fuzzy = [entry.msgid for entry in catalogue if "fuzzy" in entry.flags]
    assert untranslated == []
    assert fuzzy == []
    assert "fuzzy" not in PO_PATH.read_text(encoding="utf-8").split('msgid ""', 1)[0]


def test_plural_entries_have_both_english_forms(catalogue: list[Entry]) -> None:
    plurals = [entry for entry in catalogue if entry.msgid_plural is not None]
    assert plurals
    for entry in plurals:
        assert sorted(entry.msgstr) == [0, 1], entry.msgid


def test_placeholders_are_kept(catalogue: list[Entry]) -> None:
    wrong = []
    for entry in catalogue:
        for index, text in entry.msgstr.items():
            source = entry.msgid_plural if entry.msgid_plural and index else entry.msgid
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                wrong.append((entry.msgid, text))
    assert wrong == []


def test_translations_are_english(catalogue: list[Entry]) -> None:
    # Chinese is allowed only where the English text quotes a Chinese column header or value.
    chinese = [
        (entry.msgid, text)
        for entry in catalogue
        for text in entry.msgstr.values()
        if HAN.search(re.sub(r"“[^”]*”", "", text))
    ]
    assert chinese == []


def test_the_compiled_catalogue_matches_the_po(catalogue: list[Entry]) -> None:
    """The committed .mo holds exactly the .po's translations (run compilemessages if not)."""
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in catalogue:
        if entry.msgid_plural is None:
            if compiled.gettext(entry.msgid) != entry.msgstr[0]:
                stale.append(entry.msgid)
        else:
            for n, index in ((1, 0), (2, 1)):
                if compiled.ngettext(entry.msgid, entry.msgid_plural, n) != entry.msgstr[index]:
                    stale.append(entry.msgid)
    assert stale == [], "locale/en/LC_MESSAGES/django.mo is stale: run compilemessages"
    keys = {key[0] if isinstance(key, tuple) else key for key in compiled._catalog}  # type: ignore[attr-defined]
    assert keys - {""} == {entry.msgid for entry in catalogue}
    assert compiled.info()["language"] == "en"


# --- the screens --------------------------------------------------------------------------


@pytest.fixture
def _no_pdf_render(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("documents.services._enqueue_render", lambda document_id: None)


def _menu(html: str) -> str:
    start = html.index("<vf-page-menu-navigation")
    return html[start : html.index("</vf-page-menu-navigation>", start)]


def _text(html: str) -> str:
    html = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def pages(world, client: Client, django_capture_on_commit_callbacks, _no_pdf_render):
    from tests.workflows.flow_helpers import open_case, open_task

    case = open_case(world, django_capture_on_commit_callbacks, name="林小梅")
    open_task(case, "outreach")
    client.force_login(world.officer)

    def get(language: str | None) -> dict[str, str]:
        if language is None:
            client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
        else:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        out = {}
        for name, url in (
            ("home", "/home/"),
            ("queue", "/queues/group/"),
            ("case", f"/cases/{case.pk}/"),
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            out[name] = response.content.decode()
        return out

    return get


def test_english_on_request(pages, client: Client) -> None:
    # the way a user gets there: /i18n/setlang/ sets the language cookie
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/home/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    english = pages("en")
    for html in english.values():
        menu = _text(_menu(html))
        assert "Home" in menu and "Task queues" in menu and "Member register" in menu
        assert not HAN.search(menu), menu
        assert '<html lang="en"' in html
    assert "Open lost-contact cases" in _text(english["home"])
    queue = _text(english["queue"])
    assert "My inbox" in queue and "Approval queue" in queue and "Claim" in queue
    assert "1 item" in queue  # plural form
    case = _text(english["case"])
    assert "Current task" in case and "History" in case and "Outreach" in case
    assert "Register lost-contact case" in case
    # only data (names, organisations, document numbers, addresses) is left in Chinese
    for html in english.values():
        leftovers = set(HAN.findall(_text(html).replace("林小梅", "")))
        assert len(leftovers) < 30, leftovers


def test_chinese_by_default(pages) -> None:
    for cookie in (None, "fr"):  # no cookie, or an unsupported language
        chinese = pages(cookie)
        for html in chinese.values():
            menu = _text(_menu(html))
            assert "首页" in menu and "任务队列" in menu
            assert "Task queues" not in menu
            assert '<html lang="zh-hans"' in html
        assert "在办失联案件" in chinese["home"]
        assert "我的待办" in chinese["queue"] and "认领" in chinese["queue"]
        assert "当前任务" in chinese["case"] and "办理经过" in chinese["case"]


def test_the_browser_language_is_ignored(world, client: Client) -> None:
    client.force_login(world.officer)
    html = client.get("/home/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert "首页" in _menu(html)


# --- documents stay Chinese ---------------------------------------------------------------


def test_documents_render_in_chinese_whatever_the_ui_language(world) -> None:
    from casework.models import Case
    from documents.facts import CaseRecords
    from documents.issuing import case_document_context
    from documents.render import Issuer, document_language, render_html
    from tests.factories import make_member

    case = Case.objects.create(
        member=make_member(world.branch, name="林小梅", gender="F"),
        organisation=world.branch,
        rule_set="2024",
    )
    issuer = Issuer(mark="", name="测试第一党支部")
    with translation.override("en"):
        with document_language():
            _, context = case_document_context(kind="register_form", r=CaseRecords(case))
        html = render_html(
            kind="register_form",
            issuer=issuer,
            context=context,
            number="",
            verify_code="",
            draft=True,
        )
        assert translation.get_language() == "en"  # the override is undone afterwards
    assert "失联党员登记表" in html and "女" in html
    assert "registration form" not in html.lower() and "Female" not in html


def test_documents_issued_from_an_english_screen_keep_chinese_labels(
    world, django_capture_on_commit_callbacks, _no_pdf_render
) -> None:
    from documents.models import Document
    from tests.workflows.flow_helpers import open_case

    with translation.override("en"):
        case = open_case(world, django_capture_on_commit_callbacks, name="林小梅")
    document = Document.objects.get(case=case, kind="register_form")
    assert "外出务工经商" in document.context_json
    assert "Working or doing business" not in document.context_json


def test_the_user_menu_switches_to_the_other_language(pages) -> None:
    chinese = pages(None)["home"]
    assert 'id="language-switch"' in chinese and 'name="language" value="en"' in chinese
    english = pages("en")["case"]
    assert 'id="language-switch"' in english and 'name="language" value="zh-hans"' in english


def test_third_party_labels_are_chinese_by_default(pages) -> None:
    """viewflow ships "Applications", "Log out" … untranslated for zh_Hans: locale/zh_Hans."""
    html = pages(None)["home"]
    assert "Applications" not in html and "功能" in html and "退出登录" in html
    assert "Applications" in pages("en")["home"]
