"""The other pages: this week in IST, activity charts, sources health, dates in Hindi."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from tests.web.helpers import Built, build_store, csrf_of, event_of, log_in, make_app


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_store(tmp_path_factory.mktemp("web-pages"))


@pytest.fixture(scope="module")
def client(built: Built) -> Iterator[TestClient]:
    app, store = make_app(built)
    client = TestClient(app)
    log_in(client, "vera")
    yield client
    store.dispose()


def _day_sections(html: str) -> dict[str, str]:
    parts = re.split(r'<section class="day" data-day="([0-9-]+)">', html)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_this_week_lists_scheduled_meetings_by_day_in_india_time(
    client: TestClient, built: Built
) -> None:
    days = _day_sections(client.get("/week").text)
    assert list(days) == [f"2026-12-{d:02d}" for d in range(3, 10)]
    assert f"/events/{event_of(built, 1)}" in days["2026-12-05"]
    assert "Saturday, 5 December 2026" in days["2026-12-05"]
    others = [d for k, d in days.items() if k != "2026-12-05"]
    assert all("/events/" not in d for d in others)


def test_the_week_starts_on_the_india_date_not_the_utc_one(built: Built) -> None:
    # 20:00 UTC on 3 December is already 4 December in India.
    late = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)
    app, store = make_app(built, clock=lambda: late)
    client = TestClient(app)
    log_in(client, "vera")
    assert next(iter(_day_sections(client.get("/week").text))) == "2026-12-04"
    store.dispose()


def test_activity_charts_are_svg_drawn_here(client: TestClient) -> None:
    html = client.get("/activity").text
    charts = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(charts) == 3
    for chart in charts:
        etree.fromstring(chart.encode())  # well-formed SVG
    titles = re.findall(r"<title>([^<]+)</title>", charts[2])
    assert sorted(titles) == sorted(
        ["Bihar: 1", "Jharkhand: 1", "Rajasthan: 2", "Uttar Pradesh: 1"]
    )
    assert "BJP" in charts[0] and "INC" in charts[0]


def test_sources_show_the_status_health_table(client: TestClient) -> None:
    html = client.get("/sources").text
    for name in ("patna-daily", "ranchi-samachar", "jaipur-times", "jodhpur-khabar"):
        assert f'href="/sources/{name}"' in html
    page = client.get("/sources/ranchi-samachar").text
    assert "रांची में तेज बारिश से जलभराव" in page  # its recent articles, detected or not
    assert client.get("/sources/nowhere").status_code == 404


def test_hindi_interface_names_months_in_hindi(client: TestClient, built: Built) -> None:
    token = csrf_of(client.get("/events").text)
    client.post("/lang", data={"csrf": token, "lang": "hi", "next": "/week"})
    html = client.get("/week").text
    assert "शनिवार, 5 दिसंबर 2026" in html and "इस सप्ताह" in html
    events = client.get("/events").text
    assert "घटनाएँ" in events and "30 नवंबर 2026" in events
    token = csrf_of(html)
    client.post("/lang", data={"csrf": token, "lang": "en", "next": "/week"})
    assert "This week" in client.get("/week").text


def test_the_event_page_lists_the_alerts_sent_for_it(built: Built) -> None:
    from monitor.store import Store
    from monitor.store.models import Alert, AlertAttempt

    event = event_of(built, 0)
    store = Store(built.url)
    with store.session() as session:
        alert = Alert(
            event_id=event,
            channel="war-room-hook",
            kind="new",
            idempotency_key=f"newsmon:event-{event}:war-room-hook:new",
            payload={},
            status="sent",
            attempts=2,
            next_attempt_at=datetime(2026, 12, 1, 5, 0, tzinfo=UTC),
            created_at=datetime(2026, 12, 1, 5, 0, tzinfo=UTC),
            sent_at=datetime(2026, 12, 1, 5, 2, tzinfo=UTC),
        )
        session.add(alert)
        session.flush()
        session.add(
            AlertAttempt(alert_id=alert.id, at=alert.created_at, ok=False, status="http 500")
        )
    store.dispose()
    app, web_store = make_app(built)
    client = TestClient(app)
    log_in(client, "vera")
    html = client.get(f"/events/{event}").text
    row = re.search(r'<table class="alerts" id="alerts">.*?</table>', html, flags=re.S)
    assert row is not None
    cells = re.sub(r"<[^>]+>", " ", row.group(0))
    # Channel, time in India (05:02 UTC is 10:32 IST), status and attempts.
    assert "war-room-hook" in cells and "1 Dec 2026, 10:32" in cells
    assert re.search(r"sent\s+2", cells)
    web_store.dispose()
