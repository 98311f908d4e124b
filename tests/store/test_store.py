"""The store on both back ends: migration, article dedup, events and the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select

from crawler.items import ArticleItem
from monitor.alerts.outbox import enqueue
from monitor.events.grouping import assign_event
from monitor.store import Store
from monitor.store.articles import save_article
from monitor.store.models import Alert, Article, Detection

NOW = datetime(2023, 11, 20, 16, 30, tzinfo=UTC)


def item(url: str, text: str = "झामुमो की बैठक हुई", **extra: str) -> ArticleItem:
    base: ArticleItem = {
        "url": url,
        "canonical_url": url,
        "source": "demo",
        "title": "t",
        "text": text,
        "published": "2023-11-20T22:02:00+05:30",
        "author": None,
        "lang": "hi",
        "discovered_via": "feed",
        "fetched_at": NOW.isoformat(),
        "http_status": 200,
    }
    base.update(extra)  # type: ignore[typeddict-item]
    return base


def test_migration_creates_every_table_and_is_repeatable(store_url: str) -> None:
    store = Store(store_url)
    store.migrate()  # second run is a no-op
    tables = set(inspect(store.engine).get_table_names())
    assert {
        "sources",
        "articles",
        "detections",
        "events",
        "alerts",
        "alert_attempts",
        "crawl_runs",
        "alembic_version",
    } <= tables
    store.dispose()


def test_article_dedup_by_url_and_exact_text(store_url: str) -> None:
    store = Store(store_url, clock=lambda: NOW)
    with store.session() as s:
        first = save_article(s, item("https://a.example/1"), now=NOW)
        again = save_article(s, item("https://a.example/1"), now=NOW)
        copy = save_article(s, item("https://b.example/x", text="झामुमो  की बैठक हुई "), now=NOW)
    assert first.created and not again.created and again.article_id == first.article_id
    assert copy.created and copy.duplicate_of == first.article_id
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Article)) == 2
        dup = s.get(Article, copy.article_id)
        assert dup is not None and dup.detected_at is not None  # never detected or alerted
        original = s.get(Article, first.article_id)
        assert original is not None and original.detected_at is None
        # Times come back aware and equal to what went in, on both back ends.
        assert original.published == datetime(2023, 11, 20, 16, 32, tzinfo=UTC)
    store.dispose()


def test_naive_datetimes_are_refused(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    with pytest.raises(Exception, match="naive datetime"), store.session() as s:
        save_article(s, item("https://a.example/1"), now=datetime(2023, 1, 1))
    store.dispose()


def _detection(s, article_id: int, **fields: object) -> Detection:  # type: ignore[no-untyped-def]
    row = Detection(
        article_id=article_id,
        meeting=True,
        election_prep=True,
        score=0.9,
        parties=["INC"],
        people=[],
        fields=dict(fields),
        evidence=[],
        created_at=NOW,
    )
    s.add(row)
    return row


def test_events_group_same_meeting_and_outbox_is_idempotent(store_url: str) -> None:
    store = Store(store_url, clock=lambda: NOW)
    with store.session() as s:
        ids = [
            save_article(s, item(f"https://x.example/{i}", text=f"text {i}"), now=NOW).article_id
            for i in range(3)
        ]
        arts = [s.get(Article, i) for i in ids]
        d1 = _detection(s, ids[0], date="2023-10-19", mode="online")
        d2 = _detection(s, ids[1], date="2023-10-19", mode="online", place="Ranchi")
        d3 = _detection(s, ids[2], date="2023-10-22", mode="online")
        e1, new1 = assign_event(s, d1, arts[0], now=NOW)  # type: ignore[arg-type]
        e2, new2 = assign_event(s, d2, arts[1], now=NOW)  # type: ignore[arg-type]
        e3, new3 = assign_event(s, d3, arts[2], now=NOW + timedelta(minutes=1))  # type: ignore[arg-type]
        assert (new1, new2, new3) == (True, False, True)
        assert e1.id == e2.id != e3.id
        assert e1.place == "Ranchi"  # learnt from the second report
        created = enqueue(s, e1, ["hook", "mail"], kind="new", now=NOW)
        again = enqueue(s, e1, ["hook", "mail"], kind="new", now=NOW)
        assert len(created) == 2 and again == []
        payload = created[0].payload
        assert payload["schema"] == "newsmon.alert/1"
        assert len(payload["sources"]) == 2
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Alert)) == 2
    store.dispose()


def test_a_joint_meeting_first_reported_under_another_party_is_still_found(
    store_url: str,
) -> None:
    store = Store(store_url, clock=lambda: NOW)
    with store.session() as s:
        ids = [
            save_article(s, item(f"https://x.example/{i}", text=f"text {i}"), now=NOW).article_id
            for i in range(2)
        ]
        arts = [s.get(Article, i) for i in ids]
        joint = _detection(s, ids[0], date="2024-10-18", place="Ranchi")
        joint.parties = ["INC", "JMM"]  # the event's party is INC, its first
        alone = _detection(s, ids[1], date="2024-10-18", place="Ranchi")
        alone.parties = ["JMM"]
        first, created = assign_event(s, joint, arts[0], now=NOW)  # type: ignore[arg-type]
        second, joined_new = assign_event(s, alone, arts[1], now=NOW)  # type: ignore[arg-type]
        assert first.party == "INC" and created
        assert second.id == first.id and not joined_new
    store.dispose()


def test_migrations_match_the_models(store_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from monitor.store.db import MIGRATIONS

    store = Store(store_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.check(cfg)  # raises when a model change has no migration
    store.dispose()
