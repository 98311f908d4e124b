"""Source-health notices: one operator alert when a source fails or goes stale, one on recovery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from monitor.alerts.source_health import SCHEMA, queue_health_notices
from monitor.config.model import SourceConfig
from monitor.config.ops import OperationsConfig
from monitor.store import Store
from monitor.store.models import Alert, Source

T0 = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
OPS = OperationsConfig(stale_after_hours=24, fail_after_cycles=3, channels=("ops",))
SOURCES = [
    SourceConfig(name="alpha", feeds=("http://a/f",)),
    SourceConfig(name="beta", feeds=("http://b/f",)),
]


def setup(url: str) -> Store:
    store = Store(url, clock=lambda: T0)
    with store.session() as s:
        for name in ("alpha", "beta"):
            s.add(Source(name=name, created_at=T0, last_crawl_at=T0, last_new_article_at=T0,
                         consecutive_failures=0, health="ok"))  # fmt: skip
    return store


def crawl(store: Store, name: str, *, failed: bool, new_article: bool, at: datetime) -> None:
    with store.session() as s:
        row = s.scalars(select(Source).where(Source.name == name)).one()
        row.last_crawl_at = at
        row.consecutive_failures = row.consecutive_failures + 1 if failed else 0
        row.last_error = "feed http://a/f: HTTP 503" if failed else row.last_error
        if new_article:
            row.last_new_article_at = at


def notices(store: Store) -> list[tuple[str, str, str]]:
    with store.session() as s:
        rows = s.scalars(select(Alert).where(Alert.kind == "operator").order_by(Alert.id))
        return [(a.payload["source"], a.payload["state"], a.channel) for a in rows]


def test_failing_source_is_told_once_and_its_recovery_once(store_url: str) -> None:
    store = setup(store_url)
    at = T0
    for _ in range(5):  # fails five cycles in a row; the notice comes at the third, only then
        at += timedelta(minutes=15)
        crawl(store, "alpha", failed=True, new_article=False, at=at)
        crawl(store, "beta", failed=False, new_article=True, at=at)
        queue_health_notices(store, OPS, SOURCES, ("log",), now=at)
    assert notices(store) == [("alpha", "failing", "ops")]
    with store.session() as s:
        alert = s.scalars(select(Alert).where(Alert.kind == "operator")).one()
        assert alert.event_id is None and alert.route == "operations" and alert.status == "pending"
        assert alert.payload["schema"] == SCHEMA
        assert "HTTP 503" in alert.payload["summary"]
        health = {n: h for n, h in s.execute(select(Source.name, Source.health))}
    assert health == {"alpha": "failing", "beta": "ok"}

    # A restart (a new Store on the same database) does not repeat the notice.
    store.dispose()
    store = Store(store_url)
    at += timedelta(minutes=15)
    crawl(store, "alpha", failed=True, new_article=False, at=at)
    assert queue_health_notices(store, OPS, SOURCES, ("log",), now=at) == []

    for _ in range(2):
        at += timedelta(minutes=15)
        crawl(store, "alpha", failed=False, new_article=True, at=at)
        queue_health_notices(store, OPS, SOURCES, ("log",), now=at)
    assert notices(store) == [("alpha", "failing", "ops"), ("alpha", "recovered", "ops")]
    store.dispose()


def test_stale_source_is_told_once_and_recovers_with_a_new_article(store_url: str) -> None:
    store = setup(store_url)
    ops = OperationsConfig(stale_after_hours=24, fail_after_cycles=3)  # no channels: all of them
    at = T0
    while at < T0 + timedelta(hours=30):
        at += timedelta(hours=1)
        crawl(store, "alpha", failed=False, new_article=False, at=at)
        crawl(store, "beta", failed=False, new_article=True, at=at)
        queue_health_notices(store, ops, SOURCES, ("log", "mail"), now=at)
    assert notices(store) == [("alpha", "stale", "log"), ("alpha", "stale", "mail")]

    at += timedelta(hours=1)
    crawl(store, "alpha", failed=False, new_article=True, at=at)
    queue_health_notices(store, ops, SOURCES, ("log", "mail"), now=at)
    queue_health_notices(store, ops, SOURCES, ("log", "mail"), now=at)
    assert notices(store)[2:] == [("alpha", "recovered", "log"), ("alpha", "recovered", "mail")]
    store.dispose()


def test_sources_whose_names_differ_only_by_a_wildcard_are_told_apart(sqlite_url: str) -> None:
    # "_" is a LIKE wildcard: news-18's notice must not be read as news_18's.
    store = Store(sqlite_url, clock=lambda: T0)
    names = ("news-18", "news_18")
    with store.session() as s:
        for name in names:
            s.add(Source(name=name, created_at=T0, last_crawl_at=T0, last_new_article_at=T0,
                         consecutive_failures=0, health="ok"))  # fmt: skip
    sources = [SourceConfig(name=n, feeds=(f"http://{n}/f",)) for n in names]
    at = T0
    for failing in names:  # first news-18 fails, then news_18
        for _ in range(3):
            at += timedelta(minutes=15)
            crawl(store, failing, failed=True, new_article=False, at=at)
            queue_health_notices(store, OPS, sources, ("log",), now=at)
    assert notices(store) == [("news-18", "failing", "ops"), ("news_18", "failing", "ops")]
    store.dispose()
