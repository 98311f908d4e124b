"""Take the README's screenshots of the web page: a store of the test articles, served
locally and opened in headless Chromium.

    .venv/bin/python docs/screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.web.helpers import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_FLAGS,
    PASSWORD,
    LiveServer,
    build_store,
    event_of,
    make_app,
)

SHOTS = [
    ("web-events.png", "/events", "en"),
    ("web-event.png", "/events/{jmm}", "en"),
    ("web-week-hi.png", "/week", "hi"),
    ("web-articles-hi.png", "/articles?q=बैठक", "hi"),
    ("web-activity.png", "/activity", "en"),
]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        built = build_store(Path(tmp))
        app, store = make_app(built)
        server = LiveServer(app)
        try:
            with sync_playwright() as playwright:
                context = playwright.chromium.launch_persistent_context(
                    str(Path(tmp) / "profile"),
                    executable_path=CHROMIUM,
                    headless=True,
                    args=CHROMIUM_FLAGS,
                    viewport={"width": 1280, "height": 800},
                )
                page = context.new_page()
                page.goto(f"{server.url}/login")
                page.fill("#username", "rita")
                page.fill("#password", PASSWORD)
                page.click("#login")
                page.wait_for_url("**/events")
                lang = "en"
                for name, path, wanted in SHOTS:
                    page.goto(server.url + path.format(jmm=event_of(built, 1)))
                    if wanted != lang:
                        page.click(f"#lang-{wanted}")
                        page.wait_for_load_state()
                        lang = wanted
                    page.screenshot(path=str(ROOT / "docs" / name), full_page=True)
                    print(f"docs/{name}")
                context.close()
        finally:
            server.stop()
            store.dispose()


if __name__ == "__main__":
    main()
