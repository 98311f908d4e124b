"""Atom, iCalendar and the JSON API carry what the events page shows for the same filter."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import feedparser
import icalendar
import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from lxml import etree
from openapi_spec_validator import validate

from tests.web.helpers import XSS_TITLE, Built, build_store, event_of, log_in, make_app

FILTERS = ["", "party=BJP", "state=Rajasthan", "lang=hi", "label=meeting&status=held", "q=Lucknow"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_store(tmp_path_factory.mktemp("web-feeds"))


@pytest.fixture(scope="module")
def client(built: Built) -> Iterator[TestClient]:
    app, store = make_app(built)
    client = TestClient(app)
    log_in(client, "vera")
    yield client
    store.dispose()


def page_events(client: TestClient, query: str) -> list[int]:
    html = client.get(f"/events?{query}").text
    return [int(i) for i in re.findall(r'data-event="(\d+)"', html)]


@pytest.mark.parametrize("query", FILTERS)
def test_the_atom_feed_carries_the_events_the_page_shows(client: TestClient, query: str) -> None:
    shown = page_events(client, query)
    response = client.get(f"/feeds/events.atom?{query}")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    ids = [int(entry.link.rsplit("/", 1)[1]) for entry in feed.entries]
    assert ids == shown
    assert feed.feed.title == "newsmon events"


def test_filters_narrow_the_list(client: TestClient, built: Built) -> None:
    everything = page_events(client, "")
    assert len(everything) == 5
    assert page_events(client, "party=BJP") == sorted(
        [event_of(built, 0), event_of(built, 4)], reverse=True
    )
    assert page_events(client, "state=Rajasthan") == sorted(
        [event_of(built, 2), event_of(built, 3)], reverse=True
    )
    assert page_events(client, "party=INC&lang=hi") == [event_of(built, 3)]
    assert page_events(client, "date_from=2026-12-01&date_to=2026-12-31") == sorted(
        [event_of(built, 1), event_of(built, 4)], reverse=True
    )
    assert page_events(client, "reported_from=2026-12-02") == sorted(
        [event_of(built, 1), event_of(built, 4)], reverse=True
    )
    assert page_events(client, "source=jaipur-times") == [event_of(built, 2)]
    # Counts per filter value are shown beside each choice.
    html = client.get("/events").text
    assert re.search(r'<option value="BJP"\s*>BJP \(2\)</option>', html)
    bad = client.get("/events?date_from=yesterday")
    assert bad.status_code == 400 and "date_from" in bad.text


def test_the_calendar_carries_the_scheduled_meetings(client: TestClient, built: Built) -> None:
    for query in ("", "state=Jharkhand", "party=BJP"):
        shown = page_events(client, f"{query}&status=scheduled")
        response = client.get(f"/feeds/meetings.ics?{query}")
        assert response.headers["content-type"].startswith("text/calendar")
        calendar = icalendar.Calendar.from_ical(response.content)
        items = list(calendar.walk("VEVENT"))
        assert [int(str(i["uid"]).split("-")[1].split("@")[0]) for i in items] == shown
    calendar = icalendar.Calendar.from_ical(client.get("/feeds/meetings.ics").content)
    (meeting,) = calendar.walk("VEVENT")
    assert str(meeting["uid"]) == f"event-{event_of(built, 1)}@newsmon"
    assert meeting.decoded("dtstart").isoformat() == "2026-12-05"
    assert str(meeting["location"]) == "Ranchi"


def test_markup_in_stored_titles_stays_text_in_the_feeds(client: TestClient) -> None:
    raw = client.get("/feeds/events.atom?q=Lucknow").content
    tree = etree.fromstring(raw)
    # No element of the feed is HTML: the markup is character data of <title>.
    names = {etree.QName(e).localname for e in tree.iter() if isinstance(e.tag, str)}
    assert not names & {"script", "img", "a"}
    titles = [e.text for e in tree.iter("{http://www.w3.org/2005/Atom}title")]
    assert XSS_TITLE in titles
    ics = client.get("/feeds/meetings.ics").content
    assert b"<script" not in ics


def _validator(spec: dict[str, Any], name: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
    )


def test_the_openapi_schema_validates_and_the_api_answers_it(
    client: TestClient, built: Built
) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    validate(spec)
    assert {
        "/api/v1/events",
        "/api/v1/events/{event_id}",
        "/api/v1/articles",
        "/api/v1/sources",
    } <= set(spec["paths"])
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    answers = {
        "EventsPage": client.get("/api/v1/events?party=BJP").json(),
        "EventDetailOut": client.get(f"/api/v1/events/{event_of(built, 4)}").json(),
        "ArticlesPage": client.get("/api/v1/articles", params={"q": "बैठक"}).json(),
    }
    for name, body in answers.items():
        errors = list(_validator(spec, name).iter_errors(body))
        assert not errors, (name, errors[:1])
    sources = client.get("/api/v1/sources").json()
    item = _validator(spec, "SourceOut")
    assert len(sources) == 5 and all(not list(item.iter_errors(s)) for s in sources)
    events = answers["EventsPage"]["events"]
    assert [e["id"] for e in events] == page_events(client, "party=BJP")
    detail = answers["EventDetailOut"]
    assert detail["title"] == XSS_TITLE and detail["reports_list"][0]["evidence"]
    assert answers["ArticlesPage"]["total"] == 2
    missing = client.get("/api/v1/events/99999")
    assert missing.status_code == 404 and missing.json() == {"detail": "no event 99999"}
