"""The cycle's detection passes during a crawl, in process, with a crawl the test holds open.

The crawl stores a first batch and then waits for the test; the cycle must detect and send the
first batch meanwhile, detect the second after the crawl, and detect every article once. The
per-cycle cap counts every pass, and a pass that fails on the store leaves the crawl to end and
be recorded before the cycle fails as it did before.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Sequence
from concurrent.futures import Future
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

import monitor.cycle
from crawler.sources import SourceSpec
from monitor.alerts.channels.base import DeliveryResult
from monitor.alerts.payload import Message
from monitor.config.model import load_config
from monitor.crawl.runner import CrawlStats
from monitor.cycle import Monitor
from monitor.detect import Detector, Finding
from monitor.store import Store
from monitor.store.articles import save_article
from monitor.store.models import Article, CrawlRun, Detection
from tests.faults.config import write_config

pytestmark = pytest.mark.timeout(60)

# Short, so the passes come quickly; what the tests wait on are events, not this interval.
EVERY = 0.05
WAIT = 30.0
# Four meetings of four parties in four places: four events, none a duplicate of another.
MEETINGS = [
    "झामुमो की बैठक रांची में हुई। लोकसभा चुनाव की तैयारी पर चर्चा हुई।",
    "भाजपा की बैठक पटना में हुई। विधानसभा चुनाव की तैयारी पर चर्चा हुई।",
    "कांग्रेस की बैठक धनबाद में हुई। पंचायत चुनाव की रणनीति तय की गई।",
    "राजद कार्यकर्ताओं की बैठक गया में हुई। उपचुनाव के लिए बूथ समितियां बनाई गईं।",
]
FIRST = {"jmm": MEETINGS[0]}
SECOND = {"bjp": MEETINGS[1]}
T = TypeVar("T")


def submit(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> Future[T]:
    return asyncio.run_coroutine_threadsafe(coro, loop)


def store_batch(store: Store, texts: dict[str, str]) -> None:
    now = datetime.now(UTC)
    with store.session() as s:
        for title, text in texts.items():
            url = f"https://news.example/{title}"
            save_article(
                s,
                {"url": url, "canonical_url": url, "source": "demo", "title": title,
                 "text": text, "published": "2025-12-31T10:00:00+05:30", "author": None,
                 "lang": "hi", "discovered_via": "feed", "fetched_at": now.isoformat(),
                 "http_status": 200},
                now=now,
            )  # fmt: skip


class HeldCrawl:
    """Stores `first`, waits until `release` is set (or a stop), stores `second`."""

    def __init__(self, store: Store, first: dict[str, str], second: dict[str, str]) -> None:
        self.store, self.first, self.second = store, first, second
        self.release = asyncio.Event()
        self.ended = threading.Event()

    async def crawl(self, sources: Sequence[SourceSpec], *, crawl_run_id: int) -> CrawlStats:
        store_batch(self.store, self.first)
        await self.release.wait()
        store_batch(self.store, self.second)
        self.ended.set()
        count = len(self.first) + len(self.second)
        return CrawlStats("finished", 0, 0, count, count, 0, 0)

    async def stop(self) -> None:
        self.release.set()


class CountingDetector:
    def __init__(self, inner: Detector) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def detect(
        self, title: str, text: str, *, lang: str | None = None, published: date | None = None
    ) -> Finding:
        self.calls.append(title)
        return self.inner.detect(title, text, lang=lang, published=published)


class SignallingChannel:
    name = "log"

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.first = threading.Event()

    def send(self, message: Message) -> DeliveryResult:
        self.sent.append(message.to_payload())
        self.first.set()
        return DeliveryResult.sent()

    def describe(self) -> str:
        return "test channel"


def held_monitor(
    tmp_path: Path, url: str, first: dict[str, str], second: dict[str, str]
) -> tuple[Monitor, HeldCrawl, SignallingChannel, CountingDetector]:
    path = write_config(
        tmp_path,
        url,
        [{"name": "demo", "feeds": ["http://127.0.0.1:9/feed.xml"]}],
        alert_log=tmp_path / "alerts.jsonl",
        operations={"detect_during_crawl_seconds": EVERY, "detect_limit_seconds": 10},
    )
    config = load_config(path)
    store = Store(url)
    crawl, channel = HeldCrawl(store, first, second), SignallingChannel()
    monitor = Monitor(config, store=store, crawler=crawl, channels={"log": channel})
    detector = CountingDetector(monitor.detector)
    monitor.detector = detector  # type: ignore[assignment]
    return monitor, crawl, channel, detector


def test_the_first_batch_is_alerted_while_the_crawl_is_held(
    tmp_path: Path, sqlite_url: str, loop: asyncio.AbstractEventLoop
) -> None:
    monitor, crawl, channel, detector = held_monitor(tmp_path, sqlite_url, FIRST, SECOND)
    cycle = submit(loop, monitor.run_cycle(monitor.config.enabled_sources()))
    assert channel.first.wait(WAIT), "nothing was sent while the crawl was held"
    assert not crawl.ended.is_set() and not cycle.done()
    with monitor.store.session() as s:
        assert list(s.scalars(select(CrawlRun.status))) == ["running"]
    loop.call_soon_threadsafe(crawl.release.set)
    report = cycle.result(timeout=WAIT)

    assert sorted(detector.calls) == ["bjp", "jmm"], "an article was detected twice or never"
    assert len(report.detected) == 2 and report.new_events == 2
    # The send during the crawl counts in the cycle's report, beside the cycle's own send.
    assert report.dispatch.sent == len(channel.sent)
    assert [a["kind"] for a in channel.sent] == ["new", "new"]
    with monitor.store.session() as s:
        assert s.scalar(select(func.count()).select_from(Detection)) == 2
        assert s.scalar(select(func.count()).where(Article.detected_at.is_(None))) == 0
    monitor.store.dispose()


def test_the_cap_on_detections_counts_every_pass(
    tmp_path: Path, sqlite_url: str, loop: asyncio.AbstractEventLoop, monkeypatch: Any
) -> None:
    monkeypatch.setattr(monitor.cycle, "DETECT_PER_CYCLE", 3)
    first, second = {"a0": MEETINGS[0], "a1": MEETINGS[1]}, {"b0": MEETINGS[2], "b1": MEETINGS[3]}
    cycle_monitor, crawl, channel, detector = held_monitor(tmp_path, sqlite_url, first, second)
    cycle = submit(loop, cycle_monitor.run_cycle(cycle_monitor.config.enabled_sources()))
    assert channel.first.wait(WAIT)
    loop.call_soon_threadsafe(crawl.release.set)
    report = cycle.result(timeout=WAIT)

    assert report.attempted == 3 and len(detector.calls) == 3
    assert set(detector.calls) >= {"a0", "a1"}  # both of the first batch, during the crawl
    with cycle_monitor.store.session() as s:
        assert s.scalar(select(func.count()).where(Article.detected_at.is_(None))) == 1
    cycle_monitor.store.dispose()


def test_a_pass_failing_on_the_store_lets_the_crawl_end_then_fails_the_cycle(
    tmp_path: Path, sqlite_url: str, loop: asyncio.AbstractEventLoop
) -> None:
    monitor, crawl, _, _ = held_monitor(tmp_path, sqlite_url, FIRST, SECOND)

    def store_gone(most: int = 0) -> list[int]:
        crawl.release.set()  # the crawl ends after this pass; called on the loop's thread
        raise OperationalError("SELECT", {}, Exception("disk I/O error"))

    monitor.pending_articles = store_gone  # type: ignore[method-assign]
    cycle = submit(loop, monitor.run_cycle(monitor.config.enabled_sources()))
    with pytest.raises(OperationalError, match="disk I/O error"):
        cycle.result(timeout=WAIT)
    assert crawl.ended.is_set()
    with monitor.store.session() as s:
        run = s.scalars(select(CrawlRun)).one()
        stored = s.scalar(select(func.count()).select_from(Article))
    assert (run.status, run.articles_new, stored) == ("finished", 2, 2)
    monitor.store.dispose()
