"""The watchdog: no exception hangs an await, a step past its limit is abandoned and the cycle
goes on, and /healthz names what is stuck."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import Future
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from crawler.sources import SourceSpec
from monitor.config.model import load_config
from monitor.crawl.runner import CrawlStats
from monitor.crawl.watchdog import StepAbandoned, Watchdog, in_thread
from monitor.cycle import Monitor
from monitor.detect import Detector, Finding
from monitor.ops.endpoint import DaemonState, EndpointServer
from monitor.ops.metrics import Metrics
from monitor.store import Store
from monitor.store.articles import save_article
from monitor.store.models import Article
from tests.faults.config import write_config

pytestmark = pytest.mark.timeout(60)

T = TypeVar("T")
LIMIT = 0.5  # seconds: a step's time limit in these tests
# An article's detection takes milliseconds once the detector is warm; this is ample.
DETECT_LIMIT = 3.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def submit(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> Future[T]:
    return asyncio.run_coroutine_threadsafe(coro, loop)


def raising(kind: type[BaseException]) -> Callable[[], None]:
    def work() -> None:
        raise kind("from the worker")

    return work


@pytest.mark.parametrize("kind", [StopIteration, StopAsyncIteration, SystemExit, GeneratorExit])
def test_an_exception_a_future_refuses_comes_back_as_an_error(kind: type[BaseException]) -> None:
    async def main() -> None:
        # Bounded: with asyncio.to_thread a StopIteration would leave this await for ever.
        await asyncio.wait_for(in_thread(raising(kind), name="work"), 10)

    with pytest.raises(RuntimeError, match=f"work raised {kind.__name__}: from the worker"):
        asyncio.run(main())


def test_ordinary_errors_and_results_cross_unchanged() -> None:
    async def main() -> int:
        with pytest.raises(ValueError, match="from the worker"):
            await in_thread(raising(ValueError))
        return await in_thread(sum, [1, 2, 3])

    assert asyncio.run(main()) == 6


def test_a_hung_thread_step_is_abandoned_and_reported_until_it_returns() -> None:
    release = threading.Event()
    watchdog = Watchdog()
    abandoned: list[str] = []
    watchdog.on_abandon = lambda step: abandoned.append(step.describe())

    async def main() -> None:
        with pytest.raises(StepAbandoned, match=r"detect \(article 7\) ran past its 0.5 s limit"):
            await watchdog.run_thread("detect", LIMIT, release.wait, subject="article 7")

    asyncio.run(main())
    assert abandoned == ["detect (article 7)"]
    assert [s.describe() for s in watchdog.stuck()] == ["detect (article 7)"]
    assert watchdog.running() == [] and watchdog.overdue() == []
    release.set()
    for _ in range(200):  # bounded: the released thread returns at once
        if not watchdog.stuck():
            break
        threading.Event().wait(0.05)
    assert watchdog.stuck() == []
    assert watchdog.abandoned_total == {"detect": 1}


class IdleCrawl:
    """No crawling in these tests: the cycle is called with no sources."""

    async def crawl(self, sources: Sequence[SourceSpec], *, crawl_run_id: int) -> CrawlStats:
        raise AssertionError("not called")

    async def stop(self) -> None:
        return None


class TrapDetector:
    """The real detector, except for titles that ask it to hang or to raise StopIteration."""

    def __init__(self, inner: Detector, release: threading.Event) -> None:
        self.inner, self.release = inner, release
        self.calls: list[str] = []

    def detect(
        self, title: str, text: str, *, lang: str | None = None, published: date | None = None
    ) -> Finding:
        self.calls.append(title)
        if title == "hang":
            self.release.wait()
        if title == "raise":
            raise StopIteration
        return self.inner.detect(title, text, lang=lang, published=published)


def store_articles(store: Store, titles: Sequence[str], published: str) -> list[int]:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    ids = []
    with store.session() as s:
        for n, title in enumerate(titles):
            url = f"https://news.example/{n}"
            text = f"{title}: झामुमो की बैठक रांची में हुई। लोकसभा चुनाव की तैयारी पर चर्चा हुई।"
            saved = save_article(
                s,
                {"url": url, "canonical_url": url, "source": "demo", "title": title,
                 "text": text, "published": published, "author": None, "lang": "hi",
                 "discovered_via": "feed", "fetched_at": now.isoformat(), "http_status": 200},
                now=now,
            )  # fmt: skip
            ids.append(saved.article_id)
    return ids


def make_monitor(tmp_path: Path, store_url: str, watchdog: Watchdog) -> Monitor:
    config = load_config(
        write_config(
            tmp_path,
            store_url,
            [],
            alert_log=tmp_path / "alerts.jsonl",
            operations={"detect_limit_seconds": DETECT_LIMIT},
        )
    )
    return Monitor(config, crawler=IdleCrawl(), watchdog=watchdog)


def health(state: DaemonState, store: Store, loop: asyncio.AbstractEventLoop) -> dict[str, Any]:
    server = EndpointServer(("127.0.0.1", 0), state, Metrics(store), store, loop)
    server.start()
    try:
        healthy, facts = server.check()
    finally:
        server.stop()
    # Through JSON, as a client reads it.
    return dict(json.loads(json.dumps(facts)), healthy=healthy)


def test_an_article_that_hangs_or_raises_is_recorded_and_the_cycle_goes_on(
    tmp_path: Path, sqlite_url: str, loop: asyncio.AbstractEventLoop
) -> None:
    release = threading.Event()
    watchdog = Watchdog()
    monitor = make_monitor(tmp_path, sqlite_url, watchdog)
    trap = TrapDetector(monitor.detector, release)
    trap.detect("warm-up", "झामुमो की बैठक रांची में हुई।", lang="hi")  # loads what it loads once
    monitor.detector = trap  # type: ignore[assignment]
    good, hung, raised, after = store_articles(
        monitor.store, ["good", "hang", "raise", "after"], "2023-11-20T10:00:00+05:30"
    )
    try:
        report = submit(loop, monitor.run_cycle([])).result(timeout=30)
        assert [d.article_id for d in report.detected] == [good, after]
        assert trap.calls[1:] == ["good", "hang", "raise", "after"]
        assert monitor.failed_articles == {hung, raised}
        facts = health(DaemonState(watchdog=watchdog, scheduler_running=lambda: True),
                       monitor.store, loop)  # fmt: skip
        [stuck] = facts["stuck_steps"]
        assert stuck["step"] == "detect" and stuck["subject"] == f"article {hung}"
        assert stuck["abandoned"] is True and stuck["limit_seconds"] == DETECT_LIMIT
        # The cycle made progress: healthy, with the hung article named.
        assert facts["healthy"] is True and facts["stuck_step"] is None

        # The next cycle does not try them again.
        calls = len(trap.calls)
        again = submit(loop, monitor.run_cycle([])).result(timeout=30)
        assert again.detected == [] and len(trap.calls) == calls
        assert facts["stuck_steps"][0]["running_seconds"] >= DETECT_LIMIT
    finally:
        release.set()
    with monitor.store.session() as s:
        pending = set(s.scalars(select(Article.id).where(Article.detected_at.is_(None))))
    assert pending == {hung, raised}
    monitor.store.dispose()


def test_an_article_dated_2100_does_not_stop_the_cycle(
    tmp_path: Path, sqlite_url: str, loop: asyncio.AbstractEventLoop
) -> None:
    monitor = make_monitor(tmp_path, sqlite_url, Watchdog())
    [late] = store_articles(monitor.store, ["भाजपा की बैठक"], "2100-01-05T10:00:00+05:30")
    report = submit(loop, monitor.run_cycle([])).result(timeout=30)
    # Detected, or recorded as failed: either way the cycle ended and said which.
    assert [d.article_id for d in report.detected] == [late] or monitor.failed_articles == {late}
    monitor.store.dispose()


def test_healthz_turns_503_naming_a_step_past_its_limit(
    sqlite_url: str, loop: asyncio.AbstractEventLoop
) -> None:
    clock = FakeClock()
    watchdog = Watchdog(clock=clock)
    state = DaemonState(
        watchdog=watchdog,
        scheduler_running=lambda: True,
        clock=clock,
        started_at=clock.now,
        cycle_bound_seconds=3000,
        dispatch_bound_seconds=600,
    )
    store = Store(sqlite_url)
    release = threading.Event()
    try:
        running = submit(loop, watchdog.run_thread("dispatch", 900, release.wait))
        for _ in range(200):  # bounded wait for the step to start in the loop's thread
            if watchdog.running():
                break
            threading.Event().wait(0.02)
        assert health(state, store, loop)["healthy"] is True

        clock.now += 901  # past the dispatch run's limit, which the watchdog has not enforced
        facts = health(state, store, loop)
        assert facts["healthy"] is False and facts["status"] == "unhealthy"
        assert facts["stuck_step"] == "dispatch"
        assert facts["steps_running"][0]["running_seconds"] == 901.0
    finally:
        release.set()
        running.result(timeout=10)

    # It returned: the dispatcher made progress; then none for longer than its bound.
    assert health(state, store, loop)["stuck_step"] is None
    clock.now += 601
    facts = health(state, store, loop)
    assert (facts["stuck_step"], facts["dispatch_overdue"], facts["healthy"]) == (
        "dispatch",
        True,
        False,
    )

    # A cycle not ended within its bound names the step it is in.
    state.last_cycle_end = clock.now - 3001
    hold = threading.Event()
    try:
        crawling = submit(loop, watchdog.run_thread("crawl", 5000, hold.wait, subject="run 4"))
        for _ in range(200):
            if watchdog.running():
                break
            threading.Event().wait(0.02)
        facts = health(state, store, loop)
        assert facts["cycle_overdue"] is True and facts["stuck_step"] == "cycle: crawl (run 4)"
    finally:
        hold.set()
        crawling.result(timeout=10)
    store.dispose()


def test_a_stopiteration_in_page_extraction_fails_the_page_instead_of_hanging(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    import crawler.extract_pool as extract_pool

    def broken_parser(body: bytes, url: str, *, encoding: str | None) -> None:
        raise StopIteration  # injected: what a parser's bare next() raises

    monkeypatch.setattr(extract_pool, "extract_article", broken_parser)
    pool = ThreadPoolExecutor(1)
    extraction = extract_pool.Extraction(pool, 1)

    async def main() -> None:
        await asyncio.wait_for(extraction(b"<html></html>", "https://news.example/a", None), 10)

    with pytest.raises(RuntimeError, match=r"extraction of https://news.example/a raised Stop"):
        asyncio.run(main())
    pool.shutdown()
