"""No broken page: on the demo (register and story), every demo user logs in, follows every
link of their side menu — and of the menus those pages show — then one level of links from
those pages, and no page answers 5xx, a template error or viewflow's menu error."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from casework.devdata.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_USERS = (
    "admin",
    "coordinator",
    "inspector",
    "approver_edu",
    "approver_edu2",
    "approver_gl",
    "liaison_gongan",
    "secretary1",
    "officer1",
    "secretary2",
    "officer2",
)
# Outside the app's pages: Django's admin, the API and its docs, assets, language switch.
SKIP = ("/admin/", "/api/", "/static/", "/media/", "/i18n/", "/accounts/logout/")
BROKEN = (
    "No viewsets found",  # viewflow's app menu without a menu template
    "To place content here override",  # viewflow's base page without content
    "TemplateSyntaxError",
    "VariableDoesNotExist",
    "Traceback",
)


class Links(HTMLParser):
    """hrefs of <a> elements, split into the side menu's (inside <aside>) and the rest."""

    def __init__(self) -> None:
        super().__init__()
        self.menu: list[str] = []
        self.page: list[str] = []
        self._aside = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "aside":
            self._aside += 1
        href = dict(attrs).get("href")
        if tag == "a" and href:
            (self.menu if self._aside else self.page).append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag == "aside":
            self._aside -= 1


def _inside(base: str, href: str) -> str | None:
    """The in-app path (and query) a link on `base` leads to; None for other sites, tel:,
    mailto:, assets and the pages in SKIP."""
    parts = urlsplit(urljoin(f"http://testserver{base}", urldefrag(href).url))
    if parts.scheme != "http" or parts.netloc != "testserver":
        return None
    url = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if url.startswith(SKIP) else url


def _visit(client: Client, url: str, problems: list[str]) -> Links:
    response = client.get(url)
    links = Links()
    if response.status_code >= 500:
        problems.append(f"{url}: HTTP {response.status_code}")
        return links
    if response.status_code in (301, 302):
        target = _inside(url, response["Location"])
        return _visit(client, target, problems) if target else links
    if "text/html" not in response.get("Content-Type", ""):
        return links
    body = response.content.decode()
    problems.extend(f"{url}: {marker}" for marker in BROKEN if marker in body)
    if response.status_code >= 400:
        problems.append(f"{url}: HTTP {response.status_code} (linked from a page the user sees)")
    links.feed(body)
    return links


def _crawl(username: str) -> tuple[list[str], set[str]]:
    client = Client(raise_request_exception=False)
    assert client.login(username=username, password=DEMO_PASSWORD), username
    problems: list[str] = []
    seen: set[str] = set()
    home = _visit(client, "/", problems)
    menu = [u for u in (_inside("/", h) for h in home.menu) if u]
    pages: dict[str, Links] = {}
    # the menu's pages, and the pages of the application menus they show (one more menu)
    while menu:
        url = menu.pop(0)
        if url in seen:
            continue
        seen.add(url)
        pages[url] = _visit(client, url, problems)
        menu.extend(u for u in (_inside(url, h) for h in pages[url].menu) if u and u not in seen)
    # one level of links from those pages
    for base, links in list(pages.items()):
        for url in filter(None, (_inside(base, h) for h in links.page)):
            if url not in seen:
                seen.add(url)
                _visit(client, url, problems)
    return problems, seen


def test_every_page_reachable_from_each_demo_users_menu_renders() -> None:
    call_command("seed_demo", "--members", "60", stdout=io.StringIO())
    report: dict[str, list[str]] = {}
    visited: dict[str, int] = {}
    for username in DEMO_USERS:
        problems, seen = _crawl(username)
        visited[username] = len(seen)
        if problems:
            report[username] = problems
    assert not report, report
    # the crawl went somewhere: every menu page and the story's task and case pages
    assert all(count >= 5 for count in visited.values()), visited
    assert visited["officer1"] > 20 and visited["coordinator"] > 20, visited
