"""The web page in a real browser: Debian's Chromium driven by Playwright.

One browser and one server for the module; the tests run in file order on one store and
each changes different events.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.helpers import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    PASSWORD,
    Built,
    LiveServer,
    build_store,
    event_of,
    make_app,
)

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
if not (shutil.which("chromium") or Path(CHROMIUM).exists()):
    if IN_CI:
        raise RuntimeError("chromium is not installed: .ci/run installs chromium, chromium-driver")
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Built, str]]:
    built = build_store(tmp_path_factory.mktemp("web-browser"))
    app, store = make_app(built)
    server = LiveServer(app)
    yield built, server.url
    server.stop()
    store.dispose()


@pytest.fixture(scope="module")
def page(site: tuple[Built, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            locale="en-GB",
        )
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        yield tab
        context.close()


def log_in(page: Any, base: str, name: str = "rita") -> None:
    page.goto(f"{base}/login")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url(re.compile(r".*/events.*"))


def listed(page: Any) -> list[int]:
    return [
        int(x)
        for x in page.eval_on_selector_all("tr.event", "rows => rows.map(r => r.dataset.event)")
    ]


def no_script_ran(page: Any) -> None:
    assert page.evaluate("typeof window.__xss") == "undefined"
    # Nothing from the stored text became an element or a live link.
    assert page.evaluate("document.querySelectorAll('script').length") == 0
    assert page.evaluate("document.querySelectorAll('img, [onerror]').length") == 0
    assert page.evaluate("document.querySelectorAll('a[href^=\"javascript\"]').length") == 0


def test_log_in_then_filter_events_by_party_and_state(page: Any, site: tuple[Built, str]) -> None:
    built, base = site
    page.context.clear_cookies()
    page.goto(f"{base}/events?party=BJP")
    assert "/login" in page.url  # no session: the login page
    log_in(page, base)
    page.goto(f"{base}/events")
    assert len(listed(page)) == 5
    page.select_option("#f-party", "BJP")
    page.select_option("#f-state", "Bihar")
    page.click("#apply")
    page.wait_for_url(re.compile(r".*party=BJP.*state=Bihar.*"))
    assert listed(page) == [event_of(built, 0)]


def test_open_an_event_and_see_the_evidence_marked(page: Any, site: tuple[Built, str]) -> None:
    built, base = site
    page.goto(f"{base}/events?party=BJP&state=Bihar")
    page.click("a.event-link")
    page.wait_for_url(f"{base}/events/{event_of(built, 0)}")
    marked = page.eval_on_selector_all("#evidence mark", "ms => ms.map(m => m.textContent)")
    assert "working committee" in marked and "meeting" in marked
    assert page.text_content("#f-place") == "Patna (Bihar)"
    assert page.get_attribute("a.original", "href") == (
        "https://patna-daily.example/bjp-committee-meeting"
    )


def test_markup_in_stored_articles_stays_inert_everywhere(
    page: Any, site: tuple[Built, str]
) -> None:
    built, base = site
    event = event_of(built, 4)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in (
        "/events",
        "/events?q=Lucknow",
        f"/events/{event}",
        "/articles?q=Lucknow",
        "/sources/lucknow-news",
        "/week",
        "/activity",
        "/feeds/events.atom?q=Lucknow",
    ):
        page.goto(base + path)
        no_script_ran(page)
    page.goto(f"{base}/events/{event}")
    assert "<script>" in page.text_content("#event-title")  # shown as text
    assert dialogs == []


def test_search_a_hindi_word(page: Any, site: tuple[Built, str]) -> None:
    _, base = site
    page.goto(f"{base}/articles")
    page.fill("#q", "बैठक")
    page.click("#search")
    page.wait_for_url(re.compile(r".*/articles\?q=.*"))
    titles = page.eval_on_selector_all("#results .title", "ts => ts.map(t => t.textContent)")
    assert sorted(titles) == sorted(
        ["झामुमो की जिला समिति की बैठक शनिवार को रांची में होगी", "कांग्रेस कार्यकर्ताओं की बैठक जोधपुर में हुई"]
    )
    assert "बैठक" in page.eval_on_selector_all("#results mark", "ms => ms.map(m => m.textContent)")


def test_mark_a_false_positive_and_see_it_leave_the_list(
    page: Any, site: tuple[Built, str]
) -> None:
    built, base = site
    event = event_of(built, 2)
    page.goto(f"{base}/events")
    assert event in listed(page)
    page.goto(f"{base}/events/{event}")
    page.fill("#fp-reason", "a government review meeting")
    page.click("#false-positive")
    page.wait_for_url(f"{base}/events")
    assert event not in listed(page) and len(listed(page)) == 4


def test_merge_two_events(page: Any, site: tuple[Built, str]) -> None:
    built, base = site
    target, other = event_of(built, 0), event_of(built, 4)
    page.goto(f"{base}/events/{target}")
    page.fill("#merge-other", str(other))
    page.click("#merge")
    page.wait_for_url(f"{base}/events/{target}")
    outlets = page.eval_on_selector_all(
        "#reports tbody tr td:first-child", "c => c.map(x => x.textContent)"
    )
    assert sorted(outlets) == ["lucknow-news", "patna-daily"]
    no_script_ran(page)  # the merged report's title is on this page now
    page.goto(f"{base}/events")
    assert other not in listed(page) and target in listed(page)


def test_switch_the_interface_to_hindi(page: Any, site: tuple[Built, str]) -> None:
    built, base = site
    page.goto(f"{base}/events/{event_of(built, 1)}")
    assert page.text_content("header nav a") == "Events"
    page.click("#lang-hi")
    page.wait_for_url(f"{base}/events/{event_of(built, 1)}")
    assert page.text_content("header nav a") == "घटनाएँ"
    assert page.text_content("#f-date") == "शनिवार, 5 दिसंबर 2026"
    assert page.get_attribute("html", "lang") == "hi"
    page.click("#lang-en")
    page.wait_for_url(f"{base}/events/{event_of(built, 1)}")
    assert page.text_content("#f-date") == "Saturday, 5 December 2026"
