"""The events filters and counts on both back ends: language, outlet and state read off each
event's report outlets and languages, which follow every change of its reports."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import event, select, text, update
from sqlalchemy.orm import Session

from monitor.alerts.policy import AlertPolicy
from monitor.detect import Detector
from monitor.events.intake import detect_pending
from monitor.events.summary import packed
from monitor.store import Store
from monitor.store.db import MIGRATIONS
from monitor.store.models import Article, Detection, Event, Source
from monitor.web import review
from monitor.web.queries import (
    LABELS,
    REVIEWS,
    EventQuery,
    Places,
    count_events,
    facets_and_total,
    list_events,
)
from tests.web.helpers import ARTICLES, NOW, Built, build_store, event_of, log_in, make_app


@pytest.fixture
def built(store_url: str, tmp_path: Path) -> Built:
    return build_store(tmp_path, store_url)


def places() -> Places:
    from monitor.detect.lexicon import load_lexicon

    return Places.from_lexicon(load_lexicon())


def listed(session: Session, **filters: str) -> set[int]:
    rows = list_events(session, EventQuery(**filters), places(), limit=100)
    return {r.event.id for r in rows}


def what_reports_say(session: Session) -> dict[int, tuple[str, str]]:
    """Each event's outlets and languages, read from its reports."""
    found: dict[int, tuple[set[str], set[str]]] = {
        e: (set(), set()) for e in session.scalars(select(Event.id))
    }
    for event_id, source, lang in session.execute(
        select(Detection.event_id, Article.source, Article.lang).join(
            Article, Article.id == Detection.article_id
        )
    ):
        if event_id is not None:
            found[event_id][0].add(source)
            found[event_id][1].add(lang)
    return {e: (packed(s), packed(langs)) for e, (s, langs) in found.items()}


def kept(session: Session) -> dict[int, tuple[str, str]]:
    return {e.id: (e.report_sources, e.report_langs) for e in session.scalars(select(Event))}


def test_language_outlet_and_state_filters_follow_the_reports(built: Built) -> None:
    ev = [event_of(built, i) for i in range(5)]
    store = Store(built.url)
    with store.session() as session:
        assert kept(session) == what_reports_say(session)
        assert listed(session, lang="hi") == {ev[1], ev[3]}
        assert listed(session, lang="en") == {ev[0], ev[2], ev[4]}
        assert listed(session, source="jaipur-times") == {ev[2]}
        assert listed(session, source="jaipur") == set()  # a whole outlet name, not a part
        assert listed(session, state="Rajasthan") == {ev[2], ev[3]}
        assert listed(session, state="Rajasthan", lang="hi") == {ev[3]}
        # An outlet's region is read when asked: moving it moves its events' state.
        session.execute(update(Source).where(Source.name == "lucknow-news").values(region="Bihar"))
    with store.session() as session:
        assert listed(session, state="Bihar") == {ev[0], ev[4]}
    store.dispose()


@pytest.mark.parametrize(
    "base",
    [
        EventQuery(),
        EventQuery(lang="hi"),
        EventQuery(state="Rajasthan"),
        EventQuery(party="inc", review="all"),
        EventQuery(source="patna-daily", label="meeting"),
    ],
    ids=["none", "lang", "state", "party", "source-label"],
)
def test_each_count_is_what_choosing_it_lists(built: Built, base: EventQuery) -> None:
    store = Store(built.url)
    with store.session() as session:
        review.false_positive(session, event_of(built, 2), "rita", "not a party meeting", NOW)
        review.confirm(session, event_of(built, 0), "rita", NOW)
    p = places()
    with store.session() as session:
        counted = facets_and_total(session, base, p)
        total, counts = counted.total, counted.facets
        assert not counted.capped
        assert total == count_events(session, base, p)
        assert total == len(list_events(session, base, p, limit=100))
        checked = 0
        for name in ("party", "status", "source", "lang", "review"):
            for value, n in counts[name]:
                assert count_events(session, replace(base, **{name: value}), p) == n, (name, value)
                checked += 1
        for value, n in counts["label"]:
            assert value in LABELS
            assert count_events(session, replace(base, label=value), p) == n, value
        assert all(value in REVIEWS for value, _ in counts["review"])
        assert checked >= 3
    store.dispose()


def test_the_outlets_follow_merges_moves_and_edited_reports(built: Built) -> None:
    store = Store(built.url, clock=lambda: NOW)
    target, other = event_of(built, 0), event_of(built, 4)
    with store.session() as session:
        review.merge(session, target, other, "rita", NOW)
    with store.session() as session:
        assert kept(session) == what_reports_say(session)
        assert kept(session)[target] == ("|lucknow-news|patna-daily|", "|en|")
        assert listed(session, source="lucknow-news") == {target}
        moved = session.scalar(
            select(Detection.id)
            .join(Article, Article.id == Detection.article_id)
            .where(Article.source == "lucknow-news")
        )
        assert moved is not None
        new = review.move_out(session, target, moved, "rita", NOW)
    with store.session() as session:
        assert kept(session) == what_reports_say(session)
        assert listed(session, source="lucknow-news") == {new}
        assert listed(session, source="patna-daily") == {target}
        # An edited report that is no longer about a meeting leaves its event.
        session.execute(
            update(Article)
            .where(Article.source == "jaipur-times")
            .values(title="Heavy rain in Jaipur", text=ARTICLES[5][4], detected_at=None)
        )
    detect_pending(store, Detector(), AlertPolicy.silent())
    with store.session() as session:
        assert kept(session) == what_reports_say(session)
        assert kept(session)[event_of(built, 2)] == ("", "")
        assert listed(session, source="jaipur-times") == set()
    store.dispose()


def test_the_migration_fills_the_outlets_of_stored_events(store_url: str) -> None:
    store = Store(store_url, migrate=False)
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0009")
    at = datetime(2026, 12, 1, tzinfo=UTC).replace(tzinfo=None)
    with store.engine.begin() as conn:
        for i, (source, lang) in enumerate([("b", "hi"), ("a", "en"), ("b", "hi"), ("c", None)]):
            conn.execute(
                text(
                    "INSERT INTO articles (id, source, url, canonical_url, title, text, lang, "
                    "content_hash, fetched_at) VALUES (:i, :s, :u, :c, '', '', :l, 'h', :at)"
                ),
                {
                    "i": i + 1,
                    "s": source,
                    "u": f"https://x.example/{i}",
                    "c": f"https://x.example/{i}",
                    "l": lang,
                    "at": at,
                },
            )
        for e in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO events (id, meeting, election_prep, title, first_seen_at, "
                    "updated_at) VALUES (:e, true, false, '', :at, :at)"
                ),
                {"e": e, "at": at},
            )
        for article, event_id in ((1, 1), (2, 1), (3, 1), (4, None)):
            conn.execute(
                text(
                    "INSERT INTO detections (article_id, meeting, election_prep, score, "
                    "parties, people, evidence, event_id, created_at) "
                    "VALUES (:a, true, false, 1.0, '[]', '[]', '[]', :e, :at)"
                ),
                {"a": article, "e": event_id, "at": at},
            )
    store.migrate()
    with store.session() as session:
        assert kept(session) == {1: ("|a|b|", "|en|hi|"), 2: ("", "")}
    store.dispose()


def test_the_events_page_makes_as_many_statements_for_five_rows_as_for_one(
    built: Built,
) -> None:
    from fastapi.testclient import TestClient

    app, store = make_app(built)
    client = TestClient(app)
    log_in(client, "vera")
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(store.engine, "before_cursor_execute", count)
    made = {}
    for target in ("/events", "/events?party=JMM", "/events?state=Rajasthan&lang=hi&source=x"):
        statements.clear()
        assert client.get(target).status_code == 200
        made[target] = len(statements)
    event.remove(store.engine, "before_cursor_execute", count)
    assert made["/events"] == made["/events?party=JMM"], made
    assert max(made.values()) <= 8, made
    store.dispose()


def test_a_text_filter_stops_counting_past_the_cap(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from monitor.web.queries import TEXT_CAP

    built = build_store(tmp_path)
    store = Store(built.url)
    at = NOW.replace(tzinfo=None)
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO events (party, status, meeting, election_prep, title, "
                "first_seen_at, updated_at) VALUES ('JMM', 'held', 1, 0, :t, :at, :at)"
            ),
            [{"t": f"sammelan {i}", "at": at} for i in range(TEXT_CAP + 5)],
        )
    store.dispose()
    app, web_store = make_app(built)
    client = TestClient(app)
    log_in(client, "vera")
    html = client.get("/events?q=sammelan").text
    assert f'id="total">{TEXT_CAP}+<' in html
    assert ">JMM</option>" in html  # the choice, without a count
    # Without a text filter every event is counted (one more JMM event was built before).
    assert f'id="total">{TEXT_CAP + 6}<' in client.get("/events?party=JMM").text
    answer = client.get("/api/v1/events?q=sammelan").json()
    assert answer["total_capped"] and answer["total"] == TEXT_CAP + 1
    assert not client.get("/api/v1/events?party=BJP").json()["total_capped"]
    web_store.dispose()
