"""Crawl building blocks without a crawl: Retry-After, backoff, source failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from crawler.middlewares import retry_after_seconds
from monitor.config.model import SourceConfig
from monitor.crawl.due import BACKOFF_MAX, backoff, due_sources, record_crawl
from monitor.crawl.runner import CrawlStats
from monitor.store import Store
from monitor.store.models import Source


def test_retry_after_values() -> None:
    now = datetime(2024, 2, 8, 10, 0, tzinfo=UTC)
    assert retry_after_seconds("120", now) == 120.0
    assert retry_after_seconds("Thu, 08 Feb 2024 10:01:30 GMT", now) == 90.0
    assert retry_after_seconds("Thu, 08 Feb 2024 09:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None, now) is None


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n) for n in (0, 1, 2, 3)] == [
        timedelta(0),
        timedelta(minutes=15),
        timedelta(minutes=30),
        timedelta(hours=1),
    ]
    assert backoff(10) == backoff(10_000) == BACKOFF_MAX


def _stats(reason: str = "finished", **counts: object) -> CrawlStats:
    raw = {f"newsmon/source/{key.replace('__', '/')}": value for key, value in counts.items()}
    return CrawlStats(reason, 0, 0, 0, 0, 0, 0, raw=raw)


def test_failing_source_backs_off_and_recovers(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 's.sqlite'}")
    down, fine = (
        SourceConfig(name="down", feeds=("http://x/f",)),
        SourceConfig(name="fine", feeds=("http://y/f",)),
    )
    failed = _stats(
        down__discovery_failed=2,
        down__last_error="feed http://x/f: HTTP 503",
        fine__discovery_ok=1,
        fine__discovery_failed=1,
    )
    now = datetime(2024, 2, 8, 10, 0, tzinfo=UTC)
    with store.session() as session:
        for step in range(3):
            record_crawl(session, [down, fine], failed, now=now + timedelta(hours=step))
        session.flush()
        rows = {row.name: row for row in session.scalars(select(Source))}
        assert rows["down"].consecutive_failures == 3
        assert rows["down"].last_error == "feed http://x/f: HTTP 503"
        assert rows["down"].next_crawl_at == now + timedelta(hours=2) + timedelta(hours=1)
        # A feed down beside one that answers is not a source failure.
        assert rows["fine"].consecutive_failures == 0 and rows["fine"].next_crawl_at is None
        later = now + timedelta(hours=2, minutes=30)
        assert [
            s.name for s in due_sources(session, [down, fine], default_minutes=15, now=later)
        ] == ["fine"]
        record_crawl(session, [down], _stats(down__discovery_ok=1), now=later)
        session.flush()
        row = session.scalar(select(Source).where(Source.name == "down"))
        assert row is not None
        assert (row.consecutive_failures, row.next_crawl_at) == (0, None)
    store.dispose()


def test_a_crawl_stopped_by_the_daemon_leaves_its_sources_due_and_their_health_alone(
    tmp_path: Path,
) -> None:
    store = Store(f"sqlite:///{tmp_path / 's.sqlite'}")
    down = SourceConfig(name="down", feeds=("http://x/f",))
    now = datetime(2024, 2, 8, 10, 0, tzinfo=UTC)
    failed = _stats(down__discovery_failed=1, down__last_error="HTTP 503")
    with store.session() as session:
        for step in range(3):
            record_crawl(session, [down], failed, now=now + timedelta(hours=step))
        session.flush()
        # A stop came before the source's feed was read: no discovery counters at all.
        stopped_at = now + timedelta(hours=6)
        record_crawl(session, [down], _stats("shutdown"), now=stopped_at)
        session.flush()
        row = session.scalar(select(Source).where(Source.name == "down"))
        assert row is not None
        assert row.consecutive_failures == 3 and row.last_success_at is None
        assert row.last_crawl_at == now + timedelta(hours=2)
        due = due_sources(session, [down], default_minutes=15, now=stopped_at)
        assert [s.name for s in due] == ["down"]
    store.dispose()
