"""The tour `make up` prints: log in as each user it names, open the page it names, and find
the work it promises there. One screenshot per stop (the README shows them)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from casework.devdata.demo import DEMO_PASSWORD
from workflows.devdata.story import tell_story
from workflows.devdata.tour import tour

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_line_of_the_tour_shows_its_work(screens) -> None:
    call_command("seed_demo", "--members", "60", stdout=io.StringIO())
    story = tell_story()  # told already: this only finds the cast again
    pages: dict[str, object] = {}
    for stop in tour(story.members):
        if stop.username not in pages:
            pages[stop.username] = screens.login(stop.username, DEMO_PASSWORD)
        page = pages[stop.username]
        page.goto(screens.url(stop.path))  # type: ignore[attr-defined]
        main = page.locator("main")  # type: ignore[attr-defined]
        for text in stop.shows:
            expect(main).to_contain_text(text)
        screens.shot(page, stop.shot)
