"""Playwright (sync) driving Debian's Chromium against pytest-django's live server.

Playwright never downloads a browser here: it launches /usr/bin/chromium (or
LIANLUO_CHROMIUM). Screenshots of each main screen go to var/screenshots/ (or
LIANLUO_SCREENSHOT_DIR), at 1366×768 unless a test asks for the phone's 390×844; a normal run
never writes the tracked docs/screenshots/ — `make screenshots` refreshes those from a fresh
run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("LIANLUO_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(
    os.environ.get(
        "LIANLUO_SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots"
    )
)
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    # Steps that issue documents render PDFs in the request (tasks run in-process): on a busy
    # 2-core machine a page can take several seconds, more than expect()'s default of 5.
    expect.set_options(timeout=30_000)

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


class Screens:
    """One browser context per user: log in through the real login form, take shots."""

    def __init__(self, chromium: Any, base_url: str) -> None:
        self.chromium = chromium
        self.base_url = base_url
        self.contexts: list[Any] = []

    def login(
        self, username: str, password: str = "pw", viewport: dict[str, int] | None = None
    ) -> Any:
        phone = viewport == PHONE
        context = self.chromium.new_context(
            viewport=viewport or DESKTOP,
            accept_downloads=True,
            locale="zh-CN",
            is_mobile=phone,
            has_touch=phone,
            device_scale_factor=1,
        )
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(60000)
        page.goto(f"{self.base_url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.locator("form").locator("button[type=submit], input[type=submit]").first.click()
        page.wait_for_url(lambda url: "/accounts/login" not in url)
        return page

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def shot(self, page: Any, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def screens(chromium: Any, live_server: Any) -> Iterator[Screens]:
    # The first request builds the URL conf and templates: slow on a busy machine.
    import urllib.request

    urllib.request.urlopen(f"{live_server.url}/accounts/login/", timeout=120).close()
    helper = Screens(chromium, live_server.url)
    yield helper
    helper.close()
